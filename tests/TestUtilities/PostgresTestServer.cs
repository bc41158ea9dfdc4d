using StackModel.Hosting;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Testing;

namespace StackModel.Tests.Utilities;

/// <summary>
/// A PostgreSQL server for a test project's fixture, started the way the stack starts it: a PostgreSQL-only test stack
/// from the testing builder (temporary state folder, free port, unprivileged account under root, removed on dispose).
/// Shared by the test projects that need a bare server rather than the AppHost's stack.
/// </summary>
public sealed class PostgresTestServer : IAsyncDisposable
{
    private readonly DistributedApplication _app;

    private PostgresTestServer(DistributedApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>Gets the host port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Starts a server whose superuser <c>postgres</c> has <paramref name="superUserPassword"/>.</summary>
    public static async Task<PostgresTestServer> StartAsync(string superUserPassword, CancellationToken cancellationToken)
    {
        await using var builder = DistributedApplicationTestingBuilder.Create();
        builder.Configuration["Parameters:postgres-password"] = superUserPassword;
        var postgres = builder.AddPostgres("postgres", port: 1);
        var app = await builder.BuildAsync(cancellationToken);
        try
        {
            await app.StartAsync(cancellationToken);
            await app.WaitForResourceHealthyAsync("postgres", cancellationToken);
            return new PostgresTestServer(app, postgres.Resource.Endpoint.Annotation.HostPort);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server and removes its state folder.</summary>
    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
