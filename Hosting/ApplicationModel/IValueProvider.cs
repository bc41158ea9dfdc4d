namespace StackModel.Hosting.ApplicationModel;

/// <summary>A value that is known only when the stack runs, rendered for one consumer context.</summary>
public interface IValueProvider
{
    /// <summary>Gets the value as seen from <paramref name="context"/>.</summary>
    /// <param name="context">The network context of the consumer.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    ValueTask<string?> GetValueAsync(NetworkContext context, CancellationToken cancellationToken = default);

    /// <summary>Gets an expression that shows where the value comes from, e.g. <c>{postgres.bindings.tcp.port}</c>.</summary>
    string ValueExpression { get; }

    /// <summary>Gets a value indicating whether the value must be masked when shown.</summary>
    bool IsSecret => false;
}
