using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Export;

/// <summary>One variable that host tools get from <c>env</c> and <c>.env.stack</c>, rendered for the tool's network context.</summary>
internal sealed class EnvExportAnnotation(string variable, IValueProvider value) : IResourceAnnotation
{
    public string Variable { get; } = variable;

    public IValueProvider Value { get; } = value;
}
