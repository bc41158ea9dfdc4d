using StackModel.Hosting;
using StackModel.Hosting.Runtimes.Process;

namespace StackModel.Tests.Utilities;

/// <summary>
/// Whether this machine has PostgreSQL's server binaries, found by the product's own lookup (<c>PostgresBinaries</c>, what a
/// test stack then runs): the skip check and the binaries a test uses are the same.
/// </summary>
public static class PostgresAvailability
{
    private static readonly Lazy<(string? Directory, string? Missing)> Lookup = new(Locate);

    /// <summary>Gets the folder of <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>, or <see langword="null"/> when none is installed.</summary>
    public static string? BinDirectory => Lookup.Value.Directory;

    /// <summary>Gets why PostgreSQL tests cannot run here (what is missing and how to install it), or <see langword="null"/>.</summary>
    public static string? MissingReason => Lookup.Value.Missing;

    /// <summary>Gets the skip reason of a PostgreSQL test: <see cref="MissingReason"/> on a laptop, never on CI.</summary>
    public static string? SkipReason => TestEnvironment.SkipUnlessCI(MissingReason);

    private static (string? Directory, string? Missing) Locate()
    {
        try
        {
            return (PostgresBinaries.Locate(null).Directory, null);
        }
        catch (DistributedApplicationException ex)
        {
            return (null, "PostgreSQL server binaries are not installed: " + ex.Message);
        }
    }
}
