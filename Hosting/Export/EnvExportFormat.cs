namespace StackModel.Hosting.Export;

/// <summary>How the exported environment is written.</summary>
internal enum EnvExportFormat
{
    /// <summary><c>NAME=value</c> lines, readable by dotenv libraries, docker compose and <c>set -a; . ./.env.stack</c>.</summary>
    Dotenv,

    /// <summary>A flat JSON object of names to values.</summary>
    Json,
}
