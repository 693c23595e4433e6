using Microsoft.Data.Sqlite;

namespace Rlhf.Cli.Tests.Commands;

public sealed class DbAndUsersCommandTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-cli-tests", Guid.NewGuid().ToString("N"));
    private string DatabasePath => Path.Combine(folder, "rlhf.db");
    private Dictionary<string, string> Env => new() { ["ConnectionStrings__Rlhf"] = $"Data Source={DatabasePath}" };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Version_prints_the_assembly_version()
    {
        var (exit, output, _) = await CliProcess.RunAsync(Env, null, "--version");
        Assert.Equal(0, exit);
        Assert.StartsWith("0.1.0", output.Trim());
    }

    [Fact]
    public async Task Db_migrate_creates_the_schema_and_a_second_run_has_nothing_to_do()
    {
        var first = await CliProcess.RunAsync(Env, null, "db", "migrate");
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("applied", first.Output);
        Assert.True(await ScalarAsync("SELECT count(*) FROM __EFMigrationsHistory") >= 1);
        Assert.Equal(3, await ScalarAsync("SELECT count(*) FROM AspNetRoles"));

        var second = await CliProcess.RunAsync(Env, null, "db", "migrate");
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("is up to date", second.Output);
    }

    [Fact]
    public async Task Models_commands_bring_a_fresh_database_to_the_schema_then_import_and_list()
    {
        var empty = await CliProcess.RunAsync(Env, null, "models", "list");
        Assert.True(empty.ExitCode == 0, empty.Error);
        Assert.Equal("", empty.Output.Trim());
        Assert.True(await ScalarAsync("SELECT count(*) FROM __EFMigrationsHistory") >= 1);

        var import = await CliProcess.RunAsync(Env, null, "models", "import", "--path", FixturePaths.Lm, "--name", "tiny-base");
        Assert.True(import.ExitCode == 0, import.Error);
        Assert.StartsWith("Imported model 1 'tiny-base' (", import.Output.Trim());

        var list = await CliProcess.RunAsync(Env, null, "models", "list");
        Assert.True(list.ExitCode == 0, list.Error);
        var line = Assert.Single(list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"id\":1,\"name\":\"tiny-base\",\"kind\":\"base\"", line);
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM AuditEvents WHERE ActorName = 'cli'"));
    }

    [Fact]
    public async Task Users_create_makes_a_user_with_the_role_and_prints_a_generated_password_once()
    {
        var (exit, output, error) = await CliProcess.RunAsync(Env, null, "users", "create", "--email", "r@example.test", "--role", "rater");
        Assert.True(exit == 0, error);
        Assert.Contains("Created r@example.test (Rater).", output);
        Assert.Matches("Password \\(shown once\\): \\S{20}", output);
        Assert.Equal(1, await ScalarAsync(
            "SELECT count(*) FROM AspNetUsers u JOIN AspNetUserRoles ur ON ur.UserId = u.Id JOIN AspNetRoles r ON r.Id = ur.RoleId " +
            "WHERE u.Email = 'r@example.test' AND r.Name = 'Rater'"));
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM AuditEvents WHERE Action = 'user.created' AND ActorName = 'cli'"));
    }

    [Fact]
    public async Task Users_create_takes_a_password_from_stdin_and_prints_none()
    {
        var (exit, output, error) = await CliProcess.RunAsync(Env, "Stdin-Password-9", "users", "create", "--email", "s@example.test", "--role", "Researcher", "--password-stdin");
        Assert.True(exit == 0, error);
        Assert.DoesNotContain("Password", output);
        Assert.DoesNotContain("Stdin-Password-9", await File.ReadAllTextAsync(DatabasePath));
    }

    [Theory]
    [InlineData("Boss", "'Boss' is not a role")]
    [InlineData("Rater", "already exists")]
    public async Task Users_create_refuses_bad_input_with_one_line_and_exit_1(string role, string message)
    {
        Assert.Equal(0, (await CliProcess.RunAsync(Env, null, "users", "create", "--email", "dup@example.test", "--role", "Rater")).ExitCode);
        var before = await ScalarAsync("SELECT count(*) FROM AspNetUsers");

        var (exit, _, error) = await CliProcess.RunAsync(Env, null, "users", "create", "--email", "dup@example.test", "--role", role);

        Assert.Equal(1, exit);
        Assert.Contains(message, error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(before, await ScalarAsync("SELECT count(*) FROM AspNetUsers"));
    }

    [Fact]
    public async Task A_malformed_connection_string_is_one_line_naming_the_setting()
    {
        var (exit, _, error) = await CliProcess.RunAsync(new Dictionary<string, string> { ["ConnectionStrings__Rlhf"] = "Data Sourc=;;=" }, null, "db", "migrate");
        Assert.Equal(1, exit);
        Assert.StartsWith("rlhf: Setting ConnectionStrings:Rlhf is malformed", error.Trim());
    }
}
