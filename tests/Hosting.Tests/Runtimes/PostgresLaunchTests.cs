using StackModel.Hosting.Runtimes.Process;

namespace StackModel.Hosting.Tests.Runtimes;

/// <summary>
/// The record of the last start's PostgreSQL launch (<c>&lt;state&gt;/postgres-launch</c>) that a warm start launches early: read back
/// exactly as written, private to its owner, and anything it did not write read as no record (never as another launch).
/// </summary>
public sealed class PostgresLaunchTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("stackmodel-launch-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string RecordPath => Path.Combine(_folder, PostgresLaunch.FileName);

    private static PostgresLaunch Sample(int port = 25432, string user = "postgres") => new(
        "setpriv",
        ["--reuid", user, "/usr/lib/postgresql/15/bin/postgres", "-D", "/state/postgres/data", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", "unix_socket_directories=/state/with space/run"],
        "/state/postgres",
        "/state/postgres/data",
        port,
        user,
        "/usr/lib/postgresql/15/bin/postgres|8945320|639141798700000000");

    [Fact]
    public void A_written_launch_reads_back_the_same_and_only_its_owner_may_read_it()
    {
        var launch = Sample();
        launch.Write(RecordPath);

        var read = PostgresLaunch.TryRead(RecordPath);
        Assert.NotNull(read);
        Assert.True(read.SameAs(launch));
        Assert.Equal(launch.Args, read.Args);
        Assert.Equal("nothing", read.Difference(launch));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(RecordPath));
        }

        Assert.False(File.Exists(RecordPath + ".tmp"));
    }

    [Fact]
    public void What_differs_is_named()
    {
        Assert.Equal("the port changed from 25432 to 25433", Sample().Difference(Sample(port: 25433)));
        Assert.Equal("the account changed from 'postgres' to 'other'", Sample().Difference(Sample(user: "other") with { Args = Sample().Args }));
        Assert.Equal("the postgres binary changed (path, size or modification time)", Sample().Difference(Sample() with { BinaryFingerprint = "/usr/lib/postgresql/15/bin/postgres|1|2" }));
        Assert.Equal("the server's arguments changed", Sample().Difference(Sample() with { Args = [.. Sample().Args, "-c", "fsync=off"] }));
        Assert.False(Sample().SameAs(Sample() with { Args = [.. Sample().Args, "-c", "fsync=off"] }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("stackmodel-postgres-launch/2\0setpriv\0/s\0/s/data\025432\0postgres\0f\00\0")] // another version
    [InlineData("stackmodel-postgres-launch/1\0setpriv\0/s\0/s/data\025432\0postgres\0f\02\0-D\0")] // truncated: 2 arguments announced, 1 there
    [InlineData("stackmodel-postgres-launch/1\0setpriv\0/s\0/s/data\0port\0postgres\0f\00\0")] // no port
    [InlineData("stackmodel-postgres-launch/1\0setpriv\0relative\0/s/data\025432\0postgres\0f\00\0")] // a relative folder
    [InlineData("{\"program\":\"setpriv\"}")]
    public void Anything_else_reads_as_no_record(string text)
    {
        File.WriteAllText(RecordPath, text);
        Assert.Null(PostgresLaunch.TryRead(RecordPath));
    }

    [Fact]
    public void A_missing_record_reads_as_none_and_deleting_it_twice_is_harmless()
    {
        Assert.Null(PostgresLaunch.TryRead(RecordPath));
        Sample().Write(RecordPath);
        PostgresLaunch.Delete(RecordPath);
        PostgresLaunch.Delete(RecordPath);
        Assert.False(File.Exists(RecordPath));
    }
}
