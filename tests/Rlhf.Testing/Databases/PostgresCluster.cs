using System.Diagnostics;
using Npgsql;

namespace Rlhf.Testing.Databases;

/// <summary>
/// The PostgreSQL server the database tests use when <see cref="TestDatabases.UsePostgres"/>: the one named by
/// <c>RLHF_TEST_POSTGRES</c> (a server connection string; eng/test.sh starts one cluster for every test project), else
/// a throwaway cluster this process starts with eng/postgres-cluster.sh and stops when it exits. Each test gets a
/// database of its own (<see cref="CreateDatabaseAsync"/>), dropped when the test ends.
/// </summary>
public sealed class PostgresCluster
{
    public const string ServerVariable = "RLHF_TEST_POSTGRES";

    private static readonly Lazy<PostgresCluster> shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private PostgresCluster(string serverConnectionString) => ServerConnectionString = serverConnectionString;

    /// <summary>The cluster of this test process (started on first use).</summary>
    public static PostgresCluster Shared => shared.Value;

    /// <summary>The maintenance database ("postgres") as superuser.</summary>
    public string ServerConnectionString { get; }

    /// <summary>Creates an empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "rlhf_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing what is still connected to it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{builder.Database}\" WITH (FORCE)");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static PostgresCluster Start()
    {
        var given = Environment.GetEnvironmentVariable(ServerVariable);
        if (!string.IsNullOrWhiteSpace(given)) return new PostgresCluster(given);

        var script = Path.Combine(RepositoryRoot(), "eng", "postgres-cluster.sh");
        var folder = Path.Combine(Path.GetTempPath(), "rlhf-pg-" + Guid.NewGuid().ToString("N"));
        var (code, output, error) = Run(script, "start", folder);
        if (code != 0) throw new InvalidOperationException($"{script} start failed ({code}): {error.Trim()}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Run(script, "stop", folder);
        return new PostgresCluster(output.Trim());
    }

    private static (int Code, string Output, string Error) Run(string script, string action, string folder)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, action, folder }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Rlhf.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Rlhf.sln above {AppContext.BaseDirectory}: cannot find eng/postgres-cluster.sh.");
    }
}
