namespace StackModel.Hosting.Publishing;

/// <summary>The <c>depends_on</c> conditions of the compose file format.</summary>
internal static class ComposeConditions
{
    /// <summary>The service's HEALTHCHECK passed: what a <c>WaitFor</c> means.</summary>
    public const string Healthy = "service_healthy";

    /// <summary>The service ran and exited with code 0: what a <c>WaitForCompletion</c> means.</summary>
    public const string CompletedSuccessfully = "service_completed_successfully";

    /// <summary>The container was started (what Aspire's publisher writes for a wait); never written by StackModel for a wait.</summary>
    public const string Started = "service_started";
}
