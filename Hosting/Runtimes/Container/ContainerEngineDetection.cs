namespace StackModel.Hosting.Runtimes.Container;

/// <summary>Which container engine answers, if any, and why (shown when the runtime is chosen).</summary>
/// <param name="Engine">The engine that answered <c>info</c>, or <see langword="null"/>.</param>
/// <param name="Reason">What was tried and what answered, e.g. <c>'podman info' answered in 0.9 s</c>.</param>
internal sealed record ContainerEngineDetection(ContainerEngine? Engine, string Reason);
