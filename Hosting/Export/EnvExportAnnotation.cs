using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Export;

/// <summary>One variable that host tools get from <c>env</c> and <c>.env.stack</c>, rendered for the tool's network context.</summary>
internal sealed class EnvExportAnnotation(string variable, IValueProvider value, Func<bool>? applies = null) : IResourceAnnotation
{
    /// <summary>Gets whether the variable is exported; decided when rendered (e.g. only once a migration system is declared).</summary>
    public bool Applies => applies?.Invoke() ?? true;

    public string Variable { get; } = variable;

    public IValueProvider Value { get; } = value;
}
