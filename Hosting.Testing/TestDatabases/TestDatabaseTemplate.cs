using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Reset;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Process;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Testing;

/// <summary>
/// The migrated template a database's test databases are cloned from: <c>&lt;database&gt;_tpl_&lt;key&gt;</c>, the key a hash of the
/// migration files and of the migration runner itself, so changed migrations (or a changed runner) get a new template. It is built by the
/// real migration runner, as the stack's migrator, under a temporary name (<c>&lt;database&gt;_tplbuild_&lt;key&gt;</c>), and renamed and
/// marked as a template only once the runner succeeded: nobody sees a half-built one. A session advisory lock per key makes every other
/// builder, in this process or another, wait and then take the finished template instead of building it again.
/// </summary>
internal static class TestDatabaseTemplate
{
    /// <summary>The first key of the advisory locks of template builds (<c>pg_advisory_lock(int, int)</c>): "SMTP" in ASCII.</summary>
    public const int BuildLockNamespace = 0x534D_5450;

    private const string MigrationsPathVariable = "Migrations__Path";

    /// <summary>Describes the template of <paramref name="database"/>: its key, from its migration runner's command and migrations folder.</summary>
    /// <param name="database">The stack database.</param>
    /// <param name="migrationsFolder">A migrations folder to use instead of the runner's own (tests of changed migrations); <see langword="null"/>: the runner's.</param>
    /// <param name="cancellationToken">Cancels the reading.</param>
    public static async Task<TemplateSource> DescribeAsync(PostgresDatabaseResource database, string? migrationsFolder = null, CancellationToken cancellationToken = default)
    {
        var runner = MigrationRunnerProcess.Find(database) ?? throw new InvalidOperationException(
            $"Database '{database.Name}' declares no migration runner, so there is nothing to build its test template with. " +
            $"Declare its runner in the AppHost with WithMigrations: postgres.AddDatabase(\"{database.Name}\").WithMigrations(<runner>).");
        var command = await ProcessCommand.ForAsync(runner, cancellationToken).ConfigureAwait(false);
        if (migrationsFolder is not null)
        {
            command = command with { Environment = new Dictionary<string, string?>(command.Environment) { [MigrationsPathVariable] = migrationsFolder } };
        }

        if (!command.Environment.TryGetValue(MigrationsPathVariable, out var folder) || string.IsNullOrWhiteSpace(folder))
        {
            throw new InvalidOperationException(
                $"The migration runner '{runner.Name}' of database '{database.Name}' has no {MigrationsPathVariable}, so its test template cannot be keyed by its migrations " +
                $"(a changed migration must give a new template). Give the runner its folder in the AppHost: .WithEnvironment(\"{MigrationsPathVariable}\", <folder>).");
        }

        if (!Directory.Exists(folder))
        {
            throw new InvalidOperationException(
                $"The migrations folder '{folder}' of runner '{runner.Name}' ({MigrationsPathVariable}) does not exist. Point {MigrationsPathVariable} at the folder drizzle-kit generates.");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        Add("stackmodel test template 1");
        Add(database.OwnerRole);
        Add(database.HasRuntimeRole ? SchemaFirewall.Marker(database) : "no firewall");

        // The runner's own version: its program (or assembly, for dotnet app.dll) as built.
        foreach (var part in command.Args.Take(1).Prepend(command.Program).Where(File.Exists))
        {
            Add("runner " + Path.GetFileName(part));
            hash.AppendData(await File.ReadAllBytesAsync(part, cancellationToken).ConfigureAwait(false));
        }

        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => (Path: f, Relative: Path.GetRelativePath(folder, f).Replace('\\', '/')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();
        foreach (var (path, relative) in files)
        {
            Add("file " + relative);
            hash.AppendData(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
        }

        var key = Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
        return new TemplateSource(runner.Name, command, folder, files.Count, key);
    }

    /// <summary>The template's name for <paramref name="key"/>.</summary>
    public static string NameFor(PostgresDatabaseResource database, string key) => $"{database.DatabaseName}_tpl_{key}";

    /// <summary>The name a template is built under before it is renamed to <see cref="NameFor"/>.</summary>
    public static string BuildNameFor(PostgresDatabaseResource database, string key) => $"{database.DatabaseName}_tplbuild_{key}";

    /// <summary>The advisory lock key of a template key (its first 8 hex digits).</summary>
    public static int LockKey(string key) => int.Parse(key.AsSpan(0, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>
    /// Makes sure the template of <paramref name="source"/> exists on the server <paramref name="admin"/> reaches, building it when it does not.
    /// </summary>
    /// <returns>Whether this call built it (<see langword="false"/>: it was there, or another builder finished it meanwhile).</returns>
    public static async Task<bool> EnsureAsync(
        NpgsqlDataSource admin, PostgresDatabaseResource database, TemplateSource source, string recordPath, Action<string, bool> log, CancellationToken cancellationToken = default)
    {
        var name = NameFor(database, source.Key);
        await using var connection = await admin.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await IsReadyAsync(connection, name, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        // One builder per key and server: the others wait here, then find it ready.
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({BuildLockNamespace}, {LockKey(source.Key)})", cancellationToken).ConfigureAwait(false);
        try
        {
            if (await IsReadyAsync(connection, name, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            await BuildAsync(connection, database, source, name, recordPath, log, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({BuildLockNamespace}, {LockKey(source.Key)})", CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static async Task BuildAsync(
        NpgsqlConnection superUser, PostgresDatabaseResource database, TemplateSource source, string name, string recordPath, Action<string, bool> log, CancellationToken cancellationToken)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var build = BuildNameFor(database, source.Key);
        var record = StackRecord.Read(recordPath);
        await StackTargetGuard.VerifyServerAsync(superUser, record, recordPath, cancellationToken).ConfigureAwait(false);

        // A build left half-done by a killed process (the lock died with its session) is thrown away.
        await ExecuteAsync(superUser, $"DROP DATABASE IF EXISTS {PostgresIdentifiers.Quote(build)} WITH (FORCE)", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(superUser, $"CREATE DATABASE {PostgresIdentifiers.Quote(build)} OWNER {PostgresIdentifiers.Quote(database.OwnerRole)}", cancellationToken).ConfigureAwait(false);
        var oid = await TestDatabaseFactory.IsolateAsync(superUser, database, build, record.StackId, cancellationToken).ConfigureAwait(false);

        if (database.HasRuntimeRole)
        {
            // The runtime role's grants and the schema firewall, inside the database, as provisioning installs them in app_dev.
            var address = new NpgsqlConnectionStringBuilder(superUser.ConnectionString) { Database = build, Pooling = false, Password = database.Server.SuperUserPassword.Value };
            await using var connection = new NpgsqlConnection(address.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var sql in SchemaFirewall.InDatabaseSql(database))
            {
                batch.BatchCommands.Add(new(sql));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        await RunMigrationsAsync(database, source, build, oid, record, recordPath, log, cancellationToken).ConfigureAwait(false);

        // Marked and renamed only now: whoever sees the name sees a finished template. No connection may open it from here on,
        // so CREATE DATABASE ... TEMPLATE never finds a session in it.
        await ExecuteAsync(superUser, $"ALTER DATABASE {PostgresIdentifiers.Quote(build)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(superUser, $"ALTER DATABASE {PostgresIdentifiers.Quote(build)} RENAME TO {PostgresIdentifiers.Quote(name)}", cancellationToken).ConfigureAwait(false);
        log(string.Create(CultureInfo.InvariantCulture,
            $"Built the test template '{name}' for '{database.Name}' with '{source.RunnerName}' from {source.FileCount} file(s) in {source.MigrationsFolder} in {stopwatch.Elapsed.TotalMilliseconds:0} ms."), false);
    }

    private static async Task RunMigrationsAsync(
        PostgresDatabaseResource database, TemplateSource source, string build, long oid, StackRecord record, string stackRecordPath, Action<string, bool> log, CancellationToken cancellationToken)
    {
        // The runner as the stack declares it, pointed at the build: every value naming the database names the build instead, and its guard
        // proves the build against a record of the stack's server that holds it. It waits for nothing (the template needs no LiteLLM).
        var migratorKeyword = await database.MigratorConnectionStringExpression.GetValueAsync(NetworkContext.Host, cancellationToken).ConfigureAwait(false);
        var migratorUri = await database.MigratorUriExpression.GetValueAsync(NetworkContext.Host, cancellationToken).ConfigureAwait(false);
        var recordPath = Path.Combine(Path.GetDirectoryName(stackRecordPath)!, $"test-template-{build}.json");
        var environment = new Dictionary<string, string?>(source.Command.Environment.Count);
        foreach (var (key, value) in source.Command.Environment)
        {
            environment[key] =
                value == migratorKeyword ? new NpgsqlConnectionStringBuilder(migratorKeyword) { Database = build }.ConnectionString
                : value == migratorUri && migratorUri is not null ? string.Concat(migratorUri.AsSpan(0, migratorUri.LastIndexOf('/') + 1), build)
                : value == database.DatabaseName ? build
                : value;
        }

        environment.Remove("Migrations__WaitForHealthUrl");
        environment[StackGuardEnvironment.RecordPathVariable] = recordPath;
        var buildRecord = record with { Databases = [new DatabaseRecord(database.Name, build, database.OwnerRole, oid)] };
        await File.WriteAllTextAsync(recordPath, JsonSerializer.Serialize(buildRecord, new JsonSerializerOptions(JsonSerializerDefaults.Web)), cancellationToken).ConfigureAwait(false);
        var output = new List<string>();
        try
        {
            await using var process = ChildProcess.Start(source.Command.Program, source.Command.Args, source.Command.WorkingDirectory, environment, (line, isError) =>
            {
                lock (output)
                {
                    output.Add(line);
                }

                log("[test template] " + line, isError);
            });
            int exitCode;
            try
            {
                exitCode = await process.Exited.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                await process.StopAsync(NativeMethods.SigTerm, TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            if (exitCode != 0)
            {
                string tail;
                lock (output)
                {
                    tail = string.Join(Environment.NewLine, output.TakeLast(20).Select(l => "  " + l));
                }

                throw new InvalidOperationException(
                    $"The migration runner '{source.RunnerName}' failed to build the test template of '{database.Name}' from {source.MigrationsFolder} (exit code {exitCode}); " +
                    $"no template was made and app_dev is untouched. Its last lines:{Environment.NewLine}{tail}{Environment.NewLine}" +
                    "Fix the migration it names (the stack's own run of the runner fails the same way), then run the tests again.");
            }
        }
        finally
        {
            File.Delete(recordPath);
        }
    }

    private static async Task<bool> IsReadyAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1 AND datistemplate)", connection);
        command.Parameters.Add(new() { Value = name });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
