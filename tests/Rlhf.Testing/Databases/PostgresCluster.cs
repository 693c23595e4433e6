using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rlhf.Data;
using Rlhf.Data.Database;

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

    private readonly Lazy<Task<string>> template;

    private PostgresCluster(string serverConnectionString)
    {
        ServerConnectionString = serverConnectionString;
        template = new(MigrateTemplateAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The cluster of this test process (started on first use).</summary>
    public static PostgresCluster Shared => shared.Value;

    /// <summary>The maintenance database ("postgres") as superuser.</summary>
    public string ServerConnectionString { get; }

    /// <summary>
    /// Creates a database; returns its connection string. <paramref name="migrated"/>: a copy of this process's template,
    /// a database with every migration applied (made once, on first use): migrating ~30 migrations per test made the
    /// PostgreSQL pass of the data tests 3x as slow as their SQLite pass. Else an empty database.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(bool migrated = true)
    {
        var name = "rlhf_" + Guid.NewGuid().ToString("N");
        var from = migrated ? $" TEMPLATE \"{await template.Value}\"" : "";
        await ExecuteAsync($"CREATE DATABASE \"{name}\"{from}");
        return ConnectionStringOf(name);
    }

    private string ConnectionStringOf(string database) => new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database }.ConnectionString;

    /// <summary>
    /// Makes the migrated template the way a site migrates on start (<see cref="DatabaseInitializer.MigrateAsync"/>),
    /// then closes every connection to it (PostgreSQL copies a template only while nobody is connected).
    /// </summary>
    private async Task<string> MigrateTemplateAsync()
    {
        var name = "rlhf_template_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        var folder = Path.Combine(Path.GetTempPath(), name);
        Directory.CreateDirectory(folder);
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = "Postgres", ["ConnectionStrings:Rlhf"] = ConnectionStringOf(name), ["Storage:Root"] = folder,
            }).Build();
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddLogging();
            services.AddRlhfData(configuration, folder);
            await using (var provider = services.BuildServiceProvider())
            await using (var scope = provider.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync();
            NpgsqlConnection.ClearAllPools();
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").GetAwaiter().GetResult(); } catch (NpgsqlException) { }
        };
        return name;
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
