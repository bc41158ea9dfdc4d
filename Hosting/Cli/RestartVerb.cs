using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using StackModel.Hosting.Control;

namespace StackModel.Hosting.Cli;

/// <summary>
/// <c>restart &lt;resource&gt;</c>: asks the AppHost running on the same state folder to restart one resource (as the dashboard's
/// restart does), through its control socket (<see cref="ControlEndpoint"/>), which is served whether or not the dashboard runs.
/// Waits for the outcome: 0 when the resource is back, 1 when it did not come back or no AppHost runs, 2 for a name the stack
/// does not have (nothing changed). Starts nothing itself.
/// </summary>
internal static class RestartVerb
{
    public static Command Create(DistributedApplication app, CliConsole console)
    {
        var resource = new Argument<string>("resource") { Description = "The resource to restart: its name in AppHost/Program.cs (postgres, litellm, migrations)." };
        var command = new Command("restart", "Restarts one resource of the running stack (the AppHost started with dotnet run --project AppHost on the same state folder) and waits until it is back.")
        {
            resource,
        };
        command.SetAction((parseResult, ct) => RunAsync(app, console, parseResult.GetValue(resource)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(DistributedApplication app, CliConsole console, string resource, CancellationToken cancellationToken)
    {
        var path = ControlEndpoint.PathFor(app.StateDirectory);
        var notRunning = $"No AppHost is running on the state folder '{app.StateDirectory}'";
        var start = "Start the stack with dotnet run --project AppHost (restart acts on a running stack; the same Stack:StateDirectory, if you set one).";
        if (!File.Exists(path))
        {
            await console.Error.WriteLineAsync($"{notRunning} (there is no control socket {path}). {start}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            await console.Error.WriteLineAsync($"{notRunning}: nothing answers on {path} (left by an AppHost that was killed). {start}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AccessDenied)
        {
            await console.Error.WriteLineAsync($"The AppHost on '{app.StateDirectory}' runs as another user: {path} refused this one ({ex.Message}). Run restart as the user that runs the AppHost.").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var request = JsonSerializer.SerializeToUtf8Bytes(new ControlRequest("restart", resource), ControlJsonContext.Default.ControlRequest);
        await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await console.Error.WriteLineAsync($"Restarting '{resource}' (the AppHost on '{app.StateDirectory}' does it; waiting for it to be back)...").ConfigureAwait(false);

        // The AppHost bounds the action by Stack:StartupTimeout; this side waits a little longer for its answer.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(app.Options.StartupTimeout + TimeSpan.FromSeconds(30));
        string? line;
        try
        {
            using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
            line = await reader.ReadLineAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            line = null;
        }

        if (line is null)
        {
            await console.Error.WriteLineAsync($"The AppHost gave no answer about '{resource}' (it stopped, or the restart is still going). Its console and dashboard show the state.").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        var response = JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlResponse)!;
        switch (response.Status)
        {
            case ControlResponse.Done:
                await console.Out.WriteLineAsync(response.Message).ConfigureAwait(false);
                return ExitCodes.Success;
            case ControlResponse.Invalid:
                await console.Error.WriteLineAsync(response.Message).ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            default:
                await console.Error.WriteLineAsync(response.Message).ConfigureAwait(false);
                return ExitCodes.Failed;
        }
    }
}
