namespace StackModel.Hosting.ApplicationModel;

/// <summary>
/// A value supplied from configuration (<c>Parameters:&lt;name&gt;</c>) or, when it has a generated default,
/// generated once and kept in the stack's state folder so it never changes afterwards.
/// </summary>
public sealed class ParameterResource : Resource, IValueProvider
{
    private string? _value;

    /// <summary>Initializes a parameter.</summary>
    public ParameterResource(string name, bool secret, GeneratedParameterDefault? generatedDefault = null)
        : base(name)
    {
        Secret = secret;
        GeneratedDefault = generatedDefault;
    }

    /// <summary>Gets a value indicating whether the value is a secret: masked when shown, written only to files of mode 0600.</summary>
    public bool Secret { get; }

    /// <summary>Gets how a value is generated when configuration gives none; <see langword="null"/> means configuration must give one.</summary>
    public GeneratedParameterDefault? GeneratedDefault { get; }

    /// <inheritdoc/>
    public bool IsSecret => Secret;

    /// <inheritdoc/>
    public string ValueExpression => $"{{{Name}.value}}";

    /// <summary>Gets the resolved value.</summary>
    /// <exception cref="InvalidOperationException">The stack has not resolved its parameters yet.</exception>
    public string Value => _value ?? throw new InvalidOperationException(
        $"Parameter '{Name}' has no value yet. Values are resolved when the stack starts or exports its environment.");

    internal bool HasValue => _value is not null;

    /// <inheritdoc/>
    public ValueTask<string?> GetValueAsync(NetworkContext context, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<string?>(Value);

    internal void SetValue(string value) => _value = value;
}
