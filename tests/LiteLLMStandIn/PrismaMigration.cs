using System.Security.Cryptography;
using System.Text;

namespace StackModel.LiteLLMStandIn;

/// <summary>One migration folder of LiteLLM's Prisma history: its name and its <c>migration.sql</c>.</summary>
internal sealed record PrismaMigration(string Name, string Sql)
{
    /// <summary>Prisma's checksum: the SHA-256 of the migration file, lower-case hex.</summary>
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));
}
