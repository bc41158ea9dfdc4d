namespace StackModel.Hosting.Publishing;

/// <summary>What <c>publish compose</c> wrote, and what it left out of the published stack and why.</summary>
/// <param name="OutputDirectory">The folder the files were written to.</param>
/// <param name="Files">The files written, absolute paths.</param>
/// <param name="Services">The services of the compose file, in order.</param>
/// <param name="Notes">What was left out or changed, and why; one line each.</param>
internal sealed record ComposePublishResult(string OutputDirectory, IReadOnlyList<string> Files, IReadOnlyList<string> Services, IReadOnlyList<string> Notes);
