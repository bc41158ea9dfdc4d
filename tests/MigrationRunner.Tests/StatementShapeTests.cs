using StackModel.MigrationRunner.Database;

namespace StackModel.MigrationRunner.Tests;

/// <summary>Only chunks that surely hold one statement travel batched; everything else goes on its own, as drizzle sends it.</summary>
public sealed class StatementShapeTests
{
    [Theory]
    [InlineData("CREATE TABLE \"a\" (\"id\" integer);")]
    [InlineData("\nALTER TABLE \"a\" ADD CONSTRAINT \"f\" FOREIGN KEY (\"id\") REFERENCES \"public\".\"b\"(\"id\") ON DELETE restrict ON UPDATE no action;\n")]
    [InlineData("-- a note\nCREATE INDEX \"i\" ON \"a\" USING btree (\"id\");")]
    public void Drizzle_kit_statements_are_single_statements(string chunk) => Assert.True(StatementShape.IsSingleStatement(chunk));

    [Theory]
    [InlineData("SELECT 1; SELECT 2;")]
    [InlineData("SELECT 1")]
    [InlineData("-- only a comment;")]
    [InlineData("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;")]
    [InlineData("/* a; */ SELECT 1;")]
    [InlineData("SELECT 1; -- trailing")]
    public void Anything_else_is_not(string chunk) => Assert.False(StatementShape.IsSingleStatement(chunk));
}
