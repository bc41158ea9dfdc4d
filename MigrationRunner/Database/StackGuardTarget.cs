using Microsoft.Extensions.Configuration;

namespace StackModel.MigrationRunner.Database;

/// <summary>Where the stack-record guard finds its expectation: the AppHost gives <c>Stack:RecordPath</c> and <c>Stack:Databases:&lt;name&gt;</c>.</summary>
/// <param name="Configuration">The runner's configuration.</param>
/// <param name="ConnectionName">The connection string name being migrated.</param>
internal sealed record StackGuardTarget(IConfiguration Configuration, string ConnectionName);
