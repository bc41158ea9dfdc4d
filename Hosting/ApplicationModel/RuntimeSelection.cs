namespace StackModel.Hosting.ApplicationModel;

/// <summary>The resolved runtime choice of a resource (see <see cref="RuntimeSelectionAnnotation"/>).</summary>
/// <param name="Kind">Where it runs.</param>
/// <param name="Setting">The configured setting the choice came from (<c>auto</c>, <c>container</c>, <c>executable</c>, <c>off</c>).</param>
internal sealed record RuntimeSelection(RuntimeKind Kind, string Setting)
{
    /// <summary>Gets the program run for <see cref="RuntimeKind.Executable"/>.</summary>
    public string? Program { get; init; }

    /// <summary>Gets the arguments put before the resource's own (e.g. the dll of <c>dotnet app.dll</c>).</summary>
    public IReadOnlyList<string> LeadingArgs { get; init; } = [];

    /// <summary>Gets the working directory of the program (the AppHost project folder).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// Gets why the resource is off (<see cref="RuntimeKind.Off"/>), or why the chosen runtime cannot start it (it then ends in
    /// FailedToStart with this reason); <see langword="null"/> when it can start.
    /// </summary>
    public string? Reason { get; init; }

    /// <summary>Gets the resolved choice of <paramref name="resource"/>, or <see langword="null"/> when it has none or it is not resolved yet.</summary>
    public static RuntimeSelection? Of(IResource resource) =>
        resource.Annotations.OfType<RuntimeSelectionAnnotation>().FirstOrDefault()?.Selection;
}
