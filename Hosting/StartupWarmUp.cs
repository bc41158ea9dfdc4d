using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using StackModel.Hosting.Postgres;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting;

/// <summary>
/// Runs, once per process and on a thread of its own, the first uses of what a start needs later on its critical path and
/// ReadyToRun leaves to the JIT (generic instantiations over other assemblies' types, one-time initialisation): the stack
/// record's serializer (read before PostgreSQL is spawned, written once it is provisioned), an Npgsql data source built as
/// the provisioner builds its own, and the primitives of SCRAM-SHA-256 (the superuser's authentication). It starts as the
/// builder is constructed, while the main thread builds the host and the model and the second core is idle, so that the
/// start's own thread finds them compiled. It reads no file, opens no socket and never fails the start: it is only an aid.
/// </summary>
/// <remarks>Measured with the start-up benchmark's timeline (its JIT column): see the commit that added it.</remarks>
internal static class StartupWarmUp
{
    private static int _started;

    /// <summary>Starts the warm-up unless it ran already in this process (the testing builder creates many builders).</summary>
    public static void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = Task.Run(Run, CancellationToken.None);
        }
    }

    private static void Run()
    {
        try
        {
            var record = new StackRecord
            {
                StackId = "warm-up",
                Runtime = "process",
                CreatedAt = DateTimeOffset.UnixEpoch,
                SystemIdentifier = "1",
                PostmasterStartTime = DateTimeOffset.UnixEpoch,
                Databases = [new DatabaseRecord("warm-up", "warm_up", "warm_up_owner", 1)],
            };
            _ = JsonSerializer.Deserialize(JsonSerializer.Serialize(record, StackRecordJsonContext.Default.StackRecord), StackRecordJsonContext.Default.StackRecord);

            Span<byte> salt = stackalloc byte[16];
            RandomNumberGenerator.Fill(salt);
            var salted = Rfc2898DeriveBytes.Pbkdf2("warm-up"u8, salt, 2, HashAlgorithmName.SHA256, 32);
            _ = SHA256.HashData(HMACSHA256.HashData(salted, salt));

            using var dataSource = PostgresProvisioner.CreateAdminDataSource("Host=127.0.0.1;Port=1;Username=warm_up;Password=warm-up;Database=postgres");
            using var batch = new NpgsqlBatch();
            batch.BatchCommands.Add(new("SELECT 1"));
        }
        catch (Exception ex) when (ex is JsonException or CryptographicException or NpgsqlException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            // Only an aid: what failed here is compiled by the start itself, and reports its own errors there.
        }
    }
}
