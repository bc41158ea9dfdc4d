using Npgsql;

namespace StackModel.LiteLLMStandIn;

/// <summary>Answers whether the proxy's database can be reached now, as LiteLLM's readiness check does.</summary>
internal sealed class DatabaseProbe(NpgsqlDataSource dataSource)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public async Task<bool> IsConnectedAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return true;
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return false;
        }
    }
}
