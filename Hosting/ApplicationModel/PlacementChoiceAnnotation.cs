namespace StackModel.Hosting.ApplicationModel;

/// <summary>
/// The resource's placement is configurable: <c>&lt;section&gt;:Runtime</c> is <c>auto</c> (default: a container when an engine
/// answers, else <c>&lt;section&gt;:Command</c> when it is on PATH, else off with a warning), <c>container</c>, <c>executable</c>
/// (<c>&lt;section&gt;:Command</c>, default <see cref="DefaultCommand"/>, plus <c>&lt;section&gt;:CommandArgs</c>) or <c>off</c>.
/// The declaration stays the same; the choice is resolved into the resource's <see cref="ResourcePlacement"/> in Prepare.
/// </summary>
internal sealed class PlacementChoiceAnnotation(string configurationSection, string defaultCommand, string installHint) : IResourceAnnotation
{
    /// <summary>Gets the configuration section, e.g. <c>LiteLLM</c>.</summary>
    public string ConfigurationSection { get; } = configurationSection;

    /// <summary>Gets the command run as a host process when configuration names none, e.g. <c>litellm</c>.</summary>
    public string DefaultCommand { get; } = defaultCommand;

    /// <summary>Gets how a user installs the command, shown in messages, e.g. <c>pip install 'litellm[proxy]'</c>.</summary>
    public string InstallHint { get; } = installHint;
}
