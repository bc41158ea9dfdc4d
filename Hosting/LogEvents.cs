namespace StackModel.Hosting;

/// <summary>
/// Every log event id of the AppHost, in one table, so ids stay unique and stable (tests and log queries match on them):
/// 10xx the orchestrator, 11xx PostgreSQL as a local process, 12xx containers, 30xx–31xx the dashboard, 32xx the control socket, 33xx the OTLP receiver.
/// A <c>[LoggerMessage]</c> anywhere in this assembly takes its id from here; <c>LogEventIdTests</c> checks it.
/// </summary>
internal static class LogEvents
{
    // The orchestrator.
    public const int ResourceFailedToStart = 1000;
    public const int ResourceStopFailed = 1001;
    public const int StartsWithoutWaiting = 1002;
    public const int ResourceTurnedOff = 1010;

    // PostgreSQL as a local process.
    public const int CreatingCluster = 1100;
    public const int PostgresProcessStarted = 1101;
    public const int StalePostgresProcessStopped = 1102;
    public const int ClusterDataOutsideStateFolder = 1103;
    public const int TestClusterWithoutDurability = 1104;
    public const int EarlyPostgresAdopted = 1105;
    public const int EarlyPostgresDiscarded = 1106;
    public const int EarlyPostgresContainerAdopted = 1107;
    public const int EarlyPostgresContainerDiscarded = 1108;
    public const int EarlyPostgresContainerNotRemoved = 1109;
    public const int ClusterCopiedFromCache = 1110;

    // Containers: the engine, the stack's containers, PostgreSQL in a container.
    public const int ContainerEngineFound = 1200;
    public const int NoContainerEngine = 1201;
    public const int ContainerStarted = 1210;
    public const int StaleContainerRemoved = 1211;
    public const int NetworkNotRemoved = 1212;
    public const int ImagePulling = 1213;
    public const int ImagePullOutput = 1214;
    public const int ImagePulled = 1215;
    public const int ImagePullFailed = 1216;
    public const int NetworkJoinFailed = 1217;
    public const int UnclaimedContainerNotStopped = 1218;
    public const int PostgresContainerStarted = 1220;
    public const int PostgresRuntimeChosen = 1230;
    public const int DockerApiUsed = 1240;
    public const int DockerCliUsed = 1241;

    // The dashboard.
    public const int DashboardOff = 3000;
    public const int DashboardAction = 3100;
    public const int DashboardActionFailed = 3101;
    public const int DashboardValueRevealed = 3102;

    // Telemetry: the OTLP receiver.
    public const int OtlpReceiverOff = 3300;
    public const int OtlpItemsRejected = 3301;
    public const int OtlpListeningOnNetwork = 3302;
    public const int OtlpNotReachableFromContainers = 3303;
    public const int OtlpGatewayNotBound = 3304;

    // The control socket (restart from the command line).
    public const int ControlSocketUnavailable = 3200;
    public const int ControlRestart = 3201;
}
