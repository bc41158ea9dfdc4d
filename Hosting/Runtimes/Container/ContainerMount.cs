namespace StackModel.Hosting.Runtimes.Container;

/// <summary>A bind mount (absolute host path) or a named volume.</summary>
internal sealed record ContainerMount(string Source, string Target, bool IsVolume, bool ReadOnly);
