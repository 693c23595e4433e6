using System.CommandLine;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rlhf.Cli.Commands;
using Rlhf.Core.Projects;
using Rlhf.Data;
using Rlhf.Data.Database;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>
/// `rlhf import` and `rlhf export`: in process against a host on a temporary database (these run whether or not the
/// commands are registered in the `rlhf` tree), and end to end as the `rlhf` process (these need the registration).
/// </summary>
public sealed class ImportExportCommandTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-cli-tests", Guid.NewGuid().ToString("N"));
    private string DatabasePath => Path.Combine(folder, "rlhf.db");
    private Dictionary<string, string> Env => new() { ["ConnectionStrings__Rlhf"] = $"Data Source={DatabasePath}" };

    public ImportExportCommandTests() => Directory.CreateDirectory(folder);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    private IHost Host()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true, ContentRootPath = folder, Args = [],
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Rlhf"] = $"Data Source={DatabasePath}" });
        builder.Services.AddRlhfData(builder.Configuration, folder);
        return builder.Build();
    }

    private async Task<int> ProjectAsync()
    {
        using var host = Host();
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        var project = new Project { Name = $"p-{Guid.NewGuid():N}", Status = ProjectStatus.Active, Overlap = 1, CreatedAtUtc = DateTime.UtcNow };
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        return project.Id;
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { ImportCommand.Create(Host), ExportCommand.Create(Host) };
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    private static JsonElement SingleJsonLine(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        return JsonDocument.Parse(lines[0]).RootElement.Clone();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private const string Preferences =
        "{\"prompt\": \"2+2?\", \"chosen\": \"4\", \"rejected\": \"5\"}\n" +
        "{\"prompt\": \"Capital of France?\", \"chosen\": \"Paris\", \"rejected\": \"Lyon\"}\n";

    [Fact]
    public async Task Import_prints_the_report_as_one_json_line_and_export_writes_the_trl_file()
    {
        var project = await ProjectAsync();
        var file = Write("prefs.jsonl", Preferences);

        var (exit, output, error) = await RunAsync("import", "--project", $"{project}", "--file", file, "--seed", "3");

        Assert.True(exit == 0, error);
        var report = SingleJsonLine(output);
        Assert.True(report.GetProperty("committed").GetBoolean());
        Assert.Equal(2, report.GetProperty("votes").GetInt32());
        Assert.Equal("jsonl", report.GetProperty("format").GetString());

        var outPath = Path.Combine(folder, "out.jsonl");
        (exit, output, error) = await RunAsync("export", "--project", $"{project}", "--kind", "preferences", "--out", outPath);
        Assert.True(exit == 0, error);
        Assert.Equal(2, SingleJsonLine(output).GetProperty("written").GetInt32());
        Assert.Equal(
            "{\"prompt\":\"2+2?\",\"chosen\":\"4\",\"rejected\":\"5\"}\n{\"prompt\":\"Capital of France?\",\"chosen\":\"Paris\",\"rejected\":\"Lyon\"}\n",
            await File.ReadAllTextAsync(outPath));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Fact]
    public async Task A_lone_surrogate_is_one_clear_line_and_skip_bad_lines_imports_the_rest()
    {
        var project = await ProjectAsync();
        var file = Write("surrogate.jsonl", "{\"prompt\": \"fine\"}\n{\"prompt\": \"broken \\ud800 half\"}\n{\"prompt\": \"also fine\"}\n");

        var (exit, output, error) = await RunAsync("import", "--project", $"{project}", "--file", file);

        Assert.Equal(1, exit);
        Assert.False(SingleJsonLine(output).GetProperty("committed").GetBoolean());
        Assert.Equal("rlhf: line 2: field 'prompt' holds an unpaired surrogate escape (\\ud800-\\udfff), which is not text\n", error.ReplaceLineEndings("\n"));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM Prompts"));

        (exit, output, error) = await RunAsync("import", "--project", $"{project}", "--file", file, "--skip-bad-lines");

        Assert.True(exit == 0, error);
        var report = SingleJsonLine(output);
        Assert.Equal((2, 1), (report.GetProperty("imported_records").GetInt32(), report.GetProperty("bad_records").GetInt32()));
        Assert.Equal("line 2: field 'prompt' holds an unpaired surrogate escape (\\ud800-\\udfff), which is not text", report.GetProperty("errors")[0].GetString());
        Assert.Equal(2, await ScalarAsync("SELECT COUNT(*) FROM Prompts"));
    }

    [Fact]
    public async Task A_bad_file_imports_nothing_and_prints_each_error_on_its_own_line()
    {
        var project = await ProjectAsync();
        var file = Write("bad.jsonl", "{\"prompt\": \"ok\"}\n{\"prompt\": 1}\n{oops\n");

        var (exit, output, error) = await RunAsync("import", "--project", $"{project}", "--file", file);

        Assert.Equal(1, exit);
        Assert.False(SingleJsonLine(output).GetProperty("committed").GetBoolean());
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("rlhf: line 2: field 'prompt' must be a string", lines[0]);
        Assert.StartsWith("rlhf: line 3: invalid JSON", lines[1]);
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM Prompts"));
    }

    [Fact]
    public async Task Csv_import_with_random_pairing_and_skip_bad_lines_then_a_votes_csv_export()
    {
        var project = await ProjectAsync();
        var file = Write("cands.csv", "prompt,response_1,response_2,response_3\np1,a,b,c\n,x,y,z\np3,d,e,f\n");

        var (exit, output, error) = await RunAsync("import", "--project", $"{project}", "--file", file, "--skip-bad-lines",
            "--pairing", "random", "--pairs-per-prompt", "2", "--seed", "9");

        Assert.True(exit == 0, error);
        var report = SingleJsonLine(output);
        Assert.Equal((2, 4, 1), (report.GetProperty("prompts").GetInt32(), report.GetProperty("comparisons").GetInt32(), report.GetProperty("bad_records").GetInt32()));
        Assert.Equal("line 3: field 'prompt' is empty", report.GetProperty("errors")[0].GetString());

        var outPath = Path.Combine(folder, "votes.csv");
        (exit, output, error) = await RunAsync("export", "--project", $"{project}", "--kind", "votes", "--out", outPath);
        Assert.True(exit == 0, error);
        Assert.Equal("csv", SingleJsonLine(output).GetProperty("format").GetString());
        Assert.StartsWith("project_id,comparison_id,vote_id,rater,", await File.ReadAllTextAsync(outPath));

        var skipsPath = Path.Combine(folder, "skips.csv");
        (exit, output, error) = await RunAsync("export", "--project", $"{project}", "--kind", "skips", "--out", skipsPath);
        Assert.True(exit == 0, error);
        Assert.Equal(("skips", 0), (SingleJsonLine(output).GetProperty("kind").GetString(), SingleJsonLine(output).GetProperty("skips").GetInt32()));
        Assert.StartsWith("project_id,assignment_id,comparison_id,prompt_id,rater,kind,reason,", await File.ReadAllTextAsync(skipsPath));
    }

    [Theory]
    [InlineData("export --project {0} --kind preferences --out {1}/x.csv", "rlhf: preferences are exported as JSONL only")]
    [InlineData("export --project 999 --kind votes --out {1}/x.jsonl", "rlhf: Project 999 does not exist.")]
    [InlineData("export --project 999 --kind skips --out {1}/x.csv", "rlhf: Project 999 does not exist.")]
    [InlineData("export --project {0} --kind preferences --out {1}/x.jsonl --min-agreement 2", "rlhf: The minimum agreement must be between 0 and 1.")]
    [InlineData("import --project 999 --file {1}/prefs.jsonl", "rlhf: Project 999 does not exist.")]
    [InlineData("import --project {0} --file {1}/prefs.txt", "rlhf: cannot tell the format of prefs.txt")]
    [InlineData("import --project {0} --file {1}/missing.jsonl", "rlhf: file ")]
    public async Task Bad_requests_exit_1_with_a_clear_line(string args, string expected)
    {
        var project = await ProjectAsync();
        Write("prefs.jsonl", Preferences);
        Write("prefs.txt", Preferences);

        var (exit, _, error) = await RunAsync(string.Format(args, project, folder).Split(' '));

        Assert.Equal(1, exit);
        Assert.StartsWith(expected, error);
        Assert.Empty(Directory.GetFiles(folder, "x.*"));
    }

    // ---- As the `rlhf` process: these pass once ImportCommand and ExportCommand are added to RlhfCommandLine.

    private async Task<int> ProjectBySqlAsync()
    {
        Assert.Equal(0, (await CliProcess.RunAsync(Env, null, "db", "migrate")).ExitCode);
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText =
            "INSERT INTO Projects (Name, Guidelines, Status, Overlap, GoldRate, LeaseMinutes, RationaleRequired, AdaptiveExtraRaters, " +
            "AdaptiveThreshold, GoldMinimumAccuracy, GoldMinimumAnswers, PauseFlaggedRaters, CreatedAtUtc) " +
            "VALUES ('cli', '', 'Active', 1, 0, 15, 0, 0, 0.34, 0.7, 10, 0, '2026-01-01 00:00:00') RETURNING Id";
        return Convert.ToInt32(await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_rlhf_process_imports_and_exports()
    {
        var project = await ProjectBySqlAsync();
        var file = Write("prefs.jsonl", Preferences);

        var (exit, output, error) = await CliProcess.RunAsync(Env, null, "import", "--project", $"{project}", "--file", file);
        Assert.True(exit == 0, error);
        Assert.True(SingleJsonLine(output).GetProperty("committed").GetBoolean());
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM AuditEvents WHERE Action = 'import.completed' AND ActorName = 'cli'"));

        var outPath = Path.Combine(folder, "out.jsonl");
        (exit, _, error) = await CliProcess.RunAsync(Env, null, "export", "--project", $"{project}", "--kind", "preferences", "--out", outPath);
        Assert.True(exit == 0, error);
        Assert.Equal(2, (await File.ReadAllLinesAsync(outPath)).Length);
    }

    [Fact]
    public async Task The_rlhf_process_refuses_a_bad_file_with_one_line_per_error()
    {
        var project = await ProjectBySqlAsync();
        var file = Write("bad.csv", "question,answer\nq,a\n");

        var (exit, _, error) = await CliProcess.RunAsync(Env, null, "import", "--project", $"{project}", "--file", file);

        Assert.Equal(1, exit);
        Assert.StartsWith("rlhf: line 1: unknown column 'question'; expected columns: prompt", error.Trim());
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
