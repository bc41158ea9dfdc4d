using StackModel.Hosting.Orchestration;

namespace StackModel.Hosting.Testing;

/// <summary>What a template is built from, and its key.</summary>
/// <param name="RunnerName">The migration runner's resource name.</param>
/// <param name="Command">How the stack runs it.</param>
/// <param name="MigrationsFolder">Its migrations folder.</param>
/// <param name="FileCount">How many files the key covers.</param>
/// <param name="Key">12 hex digits of the SHA-256 of the files, the runner and the firewall.</param>
internal sealed record TemplateSource(string RunnerName, ProcessCommand Command, string MigrationsFolder, int FileCount, string Key);
