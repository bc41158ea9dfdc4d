using System.Security.Cryptography;
using StackModel.MigrationRunner.Folders;
using StackModel.MigrationRunner.Tests.Infrastructure;

namespace StackModel.MigrationRunner.Tests;

/// <summary>Files are read exactly as drizzle-orm reads them.</summary>
public sealed class MigrationScriptReaderTests
{
    [Fact]
    public void The_hash_is_the_sha256_of_the_file_bytes_bom_and_crlf_included()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. "SELECT 1;\r\n--> statement-breakpoint\r\nSELECT 2;\r\n"u8.ToArray()];
        using var folder = new MigrationFolderBuilder().AddRaw("0000_bom", MigrationFolderBuilder.BaseWhen, bytes);

        var script = MigrationFolderReader.Read(folder.Path).Scripts.Single();

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), script.Hash);
        Assert.Equal(MigrationFolderBuilder.BaseWhen, script.CreatedAt);
    }

    [Fact]
    public void Statements_are_split_on_the_breakpoint_literal_without_trimming()
    {
        using var folder = new MigrationFolderBuilder()
            .AddRaw("0000_split", MigrationFolderBuilder.BaseWhen, "SELECT 1;--> statement-breakpoint\n SELECT 2; \n--> statement-breakpoint"u8.ToArray());

        var script = MigrationFolderReader.Read(folder.Path).Scripts.Single();

        Assert.Equal(["SELECT 1;", "\n SELECT 2; \n", string.Empty], script.Statements);
        Assert.Equal(3, script.StartLineOf(2));
    }

    [Fact]
    public void Entries_are_read_in_journal_order_not_file_name_order()
    {
        using var folder = new MigrationFolderBuilder()
            .AddWithWhen("0001_second_by_name", MigrationFolderBuilder.BaseWhen, "SELECT 1;")
            .AddWithWhen("0000_first_by_name", MigrationFolderBuilder.BaseWhen + 1, "SELECT 2;");

        var folderRead = MigrationFolderReader.Read(folder.Path);

        Assert.Equal(MigrationFolderLayout.Journal, folderRead.Layout);
        Assert.Equal(["0001_second_by_name", "0000_first_by_name"], folderRead.Scripts.Select(script => script.Name));
    }

    [Fact]
    public void A_journal_with_two_entries_of_the_same_when_is_refused()
    {
        using var folder = new MigrationFolderBuilder()
            .AddWithWhen("0000_a", MigrationFolderBuilder.BaseWhen, "SELECT 1;")
            .AddWithWhen("0001_b", MigrationFolderBuilder.BaseWhen, "SELECT 2;");

        var error = Assert.Throws<MigrationException>(() => MigrationFolderReader.Read(folder.Path));

        Assert.Contains("same \"when\"", error.Message, StringComparison.Ordinal);
    }
}
