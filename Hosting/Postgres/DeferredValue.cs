using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Postgres;

/// <summary>
/// A value chosen when it is rendered, not when it is declared: a database's exported credentials depend on whether it declares a
/// migration system, which Program.cs may state after <c>WithEnvExport</c>.
/// </summary>
internal sealed class DeferredValue(Func<IValueProvider> resolve) : IValueProvider
{
    public string ValueExpression => resolve().ValueExpression;

    public bool IsSecret => resolve().IsSecret;

    public ValueTask<string?> GetValueAsync(NetworkContext context, CancellationToken cancellationToken = default) =>
        resolve().GetValueAsync(context, cancellationToken);
}
