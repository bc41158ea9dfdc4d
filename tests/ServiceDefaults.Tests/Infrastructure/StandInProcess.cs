using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace StackModel.ServiceDefaults.Tests.Infrastructure;

/// <summary>
/// The LiteLLM stand-in run as a real process (<c>dotnet StackModel.LiteLLMStandIn.dll</c>), with a clean
/// environment of its own; killed with its process tree on dispose, so no process outlives a test.
/// </summary>
public sealed class StandInProcess : IAsyncDisposable
{
    /// <summary>The environment variables the stand-in reads; never inherited from the test process.</summary>
    private static readonly string[] OwnVariables =
    [
        "DATABASE_URL", "PORT", "LITELLM_MASTER_KEY", "LITELLM_SALT_KEY", "STORE_MODEL_IN_DB",
        "LITELLM_STANDIN_NEVER_HEALTHY", "LITELLM_STANDIN_STARTUP_DELAY_MS", "LITELLM_STANDIN_EXIT_CODE",
        "LITELLM_STANDIN_DB_RETRY_SECONDS", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_ENVIRONMENT",
    ];

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private StandInProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public static TimeSpan Timeout { get; } = TestTimeouts.Scaled(TimeSpan.FromSeconds(30));

    public static string DllPath { get; } =
        typeof(StandInProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "LiteLLMStandInPath").Value
        ?? throw new InvalidOperationException("The LiteLLMStandInPath assembly metadata is missing; rebuild the test project.");

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Valid keys and a free port; <paramref name="environment"/> adds to or (with null) removes from them.</summary>
    public static StandInProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var port = PostgresServerFixture.GetFreePort();
        var startInfo = new ProcessStartInfo
        {
            FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(DllPath)!,
        };
        startInfo.ArgumentList.Add(DllPath);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var name in OwnVariables)
        {
            startInfo.Environment.Remove(name);
        }

        startInfo.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        startInfo.Environment["LITELLM_MASTER_KEY"] = "sk-test-master";
        startInfo.Environment["LITELLM_SALT_KEY"] = "sk-test-salt";
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = startInfo };
        var standIn = new StandInProcess(process, ListeningPort(startInfo, arguments));
        process.OutputDataReceived += (_, e) => standIn.Append(e.Data);
        process.ErrorDataReceived += (_, e) => standIn.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return standIn;
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>Polls <paramref name="path"/> until it answers <paramref name="expected"/>; fails with the process output otherwise.</summary>
    public async Task<HttpResponseMessage> WaitForStatusAsync(
        HttpClient client, string path, System.Net.HttpStatusCode expected, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        string last = "no answer";
        while (stopwatch.Elapsed < Timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The stand-in exited with {_process.ExitCode} before {path} answered {expected}:\n{Output}");
            }

            try
            {
                var response = await client.GetAsync(new Uri(BaseAddress, path), cancellationToken);
                if (response.StatusCode == expected)
                {
                    return response;
                }

                last = $"{(int)response.StatusCode}";
                response.Dispose();
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"{path} did not answer {expected} within {Timeout} (last: {last}):\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>The port the stand-in will listen on: <c>--port</c> wins over <c>PORT</c>, as in LiteLLM.</summary>
    private static int ListeningPort(ProcessStartInfo startInfo, string[] arguments)
    {
        var index = Array.IndexOf(arguments, "--port");
        var value = index >= 0 && index + 1 < arguments.Length ? arguments[index + 1] : startInfo.Environment["PORT"];
        return int.Parse(value!, System.Globalization.CultureInfo.InvariantCulture);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
