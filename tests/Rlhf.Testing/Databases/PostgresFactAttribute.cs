namespace Rlhf.Testing.Databases;

/// <summary>A test that needs PostgreSQL: skipped, with the reason shown, unless RLHF_TEST_DATABASE=postgres asks for it.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!TestDatabases.UsePostgres) Skip = $"Needs PostgreSQL: set {TestDatabases.Variable}=postgres (eng/test.sh does in its second pass).";
    }
}
