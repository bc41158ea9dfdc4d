using System.ComponentModel;
using System.Text;
using CliWrap;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// A container engine driven through its command line (<c>docker</c> or <c>podman</c>), as Aspire's orchestrator does.
/// One-shot commands are buffered; <see cref="Stream"/> runs a long command (<c>logs -f</c>) line by line.
/// </summary>
internal sealed class ContainerEngine(string command, string name)
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Gets the CLI as configured or found (<c>podman</c>, <c>/usr/bin/docker</c>).</summary>
    public string Command { get; } = command;

    /// <summary>Gets the engine's name: <c>docker</c> or <c>podman</c> (the CLI's file name).</summary>
    public string Name { get; } = name;

    public bool IsPodman => Name.Contains("podman", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Gets Docker Engine's API on its Unix socket, when the AppHost talks to the engine through it on a start's path (volume and
    /// container calls, logs, wait, stop); <see langword="null"/> = everything through the CLI (Podman, a <c>tcp://</c> or
    /// <c>ssh://</c> DOCKER_HOST, another context: see <see cref="DockerApiEndpoint"/>). Pulls and networks always go through the CLI.
    /// </summary>
    public DockerEngineApi? Api { get; init; }

    /// <summary>Runs one command to its end. Never throws on a non-zero exit code; throws when the CLI cannot be started or times out.</summary>
    public async Task<ContainerCommandResult> RunAsync(
        IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        var milestone = StartupTimeline.IsRecording ? $"{Name} {Milestone(args)}" : null;
        if (milestone is not null)
        {
            StartupTimeline.Mark($"{milestone}: called");
        }

        try
        {
            var result = await CliWrap.Cli.Wrap(Command)
                .WithArguments(args)
                .WithEnvironmentVariables(ToEnvironment(environment))
                .WithValidation(CommandResultValidation.None)
                .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout))
                .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr))
                .ExecuteAsync(deadline.Token)
                .ConfigureAwait(false);
            if (milestone is not null)
            {
                StartupTimeline.Mark($"{milestone}: {(result.ExitCode == 0 ? "answered" : "failed")}");
            }

            return new ContainerCommandResult(result.ExitCode, stdout.ToString(), stderr.ToString());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DistributedApplicationException(
                $"'{Command} {Describe(args)}' did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0} s. The {Name} engine is not answering; check '{Command} info'.");
        }
        catch (Exception ex) when (ex is Win32Exception || (ex is InvalidOperationException && ex.InnerException is Win32Exception))
        {
            throw new DistributedApplicationException(
                $"Could not run the container engine's CLI '{Command}': {ex.Message} Install Docker or Podman, or set Stack:ContainerRuntime to its path.", ex);
        }
    }

    /// <summary>Starts a long-running command whose output lines go to <paramref name="onLine"/>; the task ends with the command.</summary>
    public Task<CommandResult> Stream(IReadOnlyList<string> args, Action<string, bool> onLine, CancellationToken cancellationToken)
    {
        if (StartupTimeline.IsRecording)
        {
            StartupTimeline.Mark($"{Name} {Milestone(args)}: called (streaming)");
        }

        return CliWrap.Cli.Wrap(Command)
            .WithArguments(args)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(line => onLine(line, false)))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line => onLine(line, true)))
            .ExecuteAsync(cancellationToken)
            .Task;
    }

    /// <summary>Shows a command without the values of <c>-e</c> options (they are passed through the environment anyway).</summary>
    public static string Describe(IEnumerable<string> args) => string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));

    /// <summary>A command's verbs without names and values, for the start-up timeline (<c>volume inspect</c>, <c>run</c>).</summary>
    private static string Milestone(IReadOnlyList<string> args) =>
        string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')).Take(args.Count > 0 && args[0] is "volume" or "network" or "image" or "container" ? 2 : 1));

    private static Dictionary<string, string?> ToEnvironment(IReadOnlyDictionary<string, string?>? environment) =>
        environment is null ? [] : new Dictionary<string, string?>(environment, StringComparer.Ordinal);
}
