using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StackModel.Benchmarks.TelemetryLoad;

/// <summary>The real AppHost process with its dashboard and OTLP receiver on free ports, in a temporary state folder.</summary>
internal sealed partial class AppHostUnderLoad : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _stateFolder;

    private AppHostUnderLoad(Process process, string stateFolder, Uri dashboard, string token)
    {
        _process = process;
        _stateFolder = stateFolder;
        Dashboard = dashboard;
        Client = new HttpClient { BaseAddress = dashboard, Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Client.DefaultRequestHeaders.Add("X-StackModel-Dashboard", "1");
    }

    public int Pid => _process.Id;

    public Uri Dashboard { get; }

    /// <summary>Gets a client signed in to the dashboard.</summary>
    public HttpClient Client { get; }

    public Uri OtlpEndpoint { get; private set; } = null!;

    public string OtlpHeader { get; private set; } = null!;

    public static async Task<AppHostUnderLoad> StartAsync(string dll)
    {
        // Not private to root: under root PostgreSQL runs as 'postgres', which must enter the state folder.
        var stateFolder = Directory.CreateTempSubdirectory("stackmodel-telemetry-load-").FullName;
        File.SetUnixFileMode(stateFolder, (UnixFileMode)0b111_101_101);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            // PostgreSQL as a process: with an engine running, auto would make a container volume that outlives the deleted state folder.
            dll, $"--Stack:StateDirectory={stateFolder}", $"--Stack:Ports:postgres:tcp={FreePort()}", "--Stack:WriteEnvFile=false", "--Stack:Runtime=process",
            "--LiteLLM:Runtime=off", "--Dashboard:Enabled=true", "--Dashboard:Port=0", "--Dashboard:OtlpPort=0",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        var login = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (LoginUrl().Match(e.Data) is { Success: true } match)
            {
                login.TrySetResult(match);
            }

            if (e.Data.Contains("Press Ctrl+C", StringComparison.Ordinal))
            {
                up.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var url = await login.Task.WaitAsync(TimeSpan.FromSeconds(120));
            await up.Task.WaitAsync(TimeSpan.FromSeconds(120));
            var host = new AppHostUnderLoad(process, stateFolder, new Uri(url.Groups["base"].Value), url.Groups["token"].Value);
            host.OtlpEndpoint = new Uri(await host.RevealAsync("OTEL_EXPORTER_OTLP_ENDPOINT"));
            host.OtlpHeader = await host.RevealAsync("OTEL_EXPORTER_OTLP_HEADERS");
            return host;
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            Directory.Delete(stateFolder, recursive: true);
            throw;
        }
    }

    /// <summary>The AppHost's resident memory now and its peak (<c>/proc/&lt;pid&gt;/status</c>).</summary>
    public string Memory()
    {
        var status = File.ReadAllLines($"/proc/{Pid}/status");
        string Field(string name) => status.Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim();
        static string MiB(string kb) => (long.Parse(kb.Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " MiB";
        return $"RSS {MiB(Field("VmRSS"))} (peak {MiB(Field("VmHWM"))})";
    }

    public async Task<string> SummaryAsync()
    {
        using var document = JsonDocument.Parse(await Client.GetStringAsync("/api/telemetry/summary"));
        return string.Join("; ", document.RootElement.GetProperty("resources").EnumerateArray()
            .Where(r => r.GetProperty("resource").GetString()!.StartsWith("load-", StringComparison.Ordinal))
            .Select(r => $"{r.GetProperty("resource").GetString()} logs {r.GetProperty("logs")} spans {r.GetProperty("spans")} points {r.GetProperty("metricPoints")} (dropped {r.GetProperty("droppedLogs")}/{r.GetProperty("droppedSpans")}/{r.GetProperty("droppedMetricPoints")})"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        Directory.Delete(_stateFolder, recursive: true);
    }

    private async Task<string> RevealAsync(string variable)
    {
        using var response = await Client.PostAsync($"/api/resources/migrations/environment/{variable}/reveal", null);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("value").GetString()!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"(?<base>http://127\.0\.0\.1:\d+)/login\?t=(?<token>[A-Za-z0-9_-]+)")]
    private static partial Regex LoginUrl();
}
