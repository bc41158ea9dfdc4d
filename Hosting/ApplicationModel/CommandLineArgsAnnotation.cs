namespace StackModel.Hosting.ApplicationModel;

/// <summary>Command-line arguments of a resource's program; each is a string or an <see cref="IValueProvider"/>.</summary>
public sealed class CommandLineArgsAnnotation(IReadOnlyList<object> args) : IResourceAnnotation
{
    /// <summary>Gets the arguments.</summary>
    public IReadOnlyList<object> Args { get; } = args ?? throw new ArgumentNullException(nameof(args));
}
