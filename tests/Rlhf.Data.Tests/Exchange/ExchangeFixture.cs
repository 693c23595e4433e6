using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Database;
using Rlhf.Data.Exchange;
using Rlhf.Data.Rating;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests.Exchange;

/// <summary>A migrated SQLite file with an empty active project, the import/export services, and helpers to inspect it.</summary>
public sealed class ExchangeFixture : IAsyncDisposable
{
    public TestDatabase Database { get; private init; } = null!;
    public int ProjectId { get; private init; }
    public int PoolId { get; private init; }
    public ImportService Imports { get; private init; } = null!;
    public ExportService Exports { get; private init; } = null!;
    public IDbContextFactory<RlhfDbContext> Contexts { get; private init; } = null!;

    public static async Task<ExchangeFixture> CreateAsync(int k = 1)
    {
        var database = await RatingFixture.DatabaseAsync();
        var (project, pool, _) = await RatingFixture.ProjectAsync(database, 0, k);
        var contexts = database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            // RatingFixture links the pool only when it adds comparisons; with none, link it here.
            if (!await db.ProjectPools.AnyAsync(pp => pp.ProjectId == project && pp.PoolId == pool))
            {
                db.ProjectPools.Add(new Rlhf.Core.Pools.ProjectPool { ProjectId = project, PoolId = pool });
                await db.SaveChangesAsync();
            }
        }
        return new ExchangeFixture
        {
            Database = database, ProjectId = project, PoolId = pool, Contexts = contexts,
            Imports = new ImportService(contexts, TimeProvider.System),
            Exports = database.Services.GetRequiredService<ExportService>(),
        };
    }

    public RatingService Rating => new(Contexts, TimeProvider.System, new GroupCommit(Contexts, new WriteGate()), new FreshComparisonHint(), new LeaseSweepMark(), new ComparisonCounts(TimeProvider.System));

    public Task<RlhfDbContext> DbAsync() => Contexts.CreateDbContextAsync();

    /// <summary>Another empty project in the same database.</summary>
    public async Task<int> AnotherProjectAsync(int k = 1) => (await RatingFixture.ProjectAsync(Database, 0, k)).ProjectId;

    public Task<ImportReport> ImportAsync(string text, ImportFormat format = ImportFormat.Jsonl, ImportOptions? options = null, int? project = null) =>
        ImportAsync(Encoding.UTF8.GetBytes(text), format, options, project);

    public async Task<ImportReport> ImportAsync(byte[] bytes, ImportFormat format = ImportFormat.Jsonl, ImportOptions? options = null, int? project = null)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return await Imports.ImportAsync(project ?? ProjectId, stream, format, options ?? new ImportOptions(), new Rlhf.Data.Audit.AuditActor(null, "test"), null, CancellationToken.None);
    }

    public static string Jsonl(params object[] lines) => string.Join("\n", lines.Select(l => JsonSerializer.Serialize(l))) + "\n";

    /// <summary>Rows in every table of the database (Identity, domain, audit, jobs...), by table name.</summary>
    public async Task<Dictionary<string, long>> CountAllAsync()
    {
        await using var db = await DbAsync();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        var tables = db.Model.GetEntityTypes().Select(t => t.GetTableName()).OfType<string>().Append("__EFMigrationsHistory").Distinct().Order().ToList();
        var counts = new Dictionary<string, long>();
        foreach (var table in tables)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM \"{table}\"";
            counts[table] = Convert.ToInt64(await count.ExecuteScalarAsync());
        }
        return counts;
    }

    /// <summary>Every rater in the pool rates everything they are given, preferring the response <paramref name="prefer"/> picks (by text).</summary>
    public async Task RateAllAsync(IReadOnlyList<string> raters, Func<string, string, bool> preferLeft, int strength = 1)
    {
        foreach (var rater in raters)
            while (await Rating.NextAsync(rater) is { } task)
            {
                var result = await Rating.SubmitAsync(rater, task.AssignmentId, preferLeft(task.Left, task.Right) ? -strength : strength, false, null);
                Assert.True(result.Succeeded, result.Error);
            }
    }

    /// <summary>A stored vote written directly (for export policy tests): a submitted assignment and its vote.</summary>
    public async Task<long> AddVoteAsync(long comparisonId, string raterId, int strength, bool voided = false, bool aShownLeft = true, string rationale = "")
    {
        await using var db = await DbAsync();
        var now = DateTime.UtcNow;
        var assignment = new Assignment
        {
            ProjectId = ProjectId, ComparisonId = comparisonId, RaterId = raterId, AShownLeft = aShownLeft,
            Status = AssignmentStatus.Submitted, StartedAtUtc = now.AddSeconds(-12.5), LeaseExpiresAtUtc = now.AddMinutes(15), FinishedAtUtc = now,
        };
        db.Assignments.Add(assignment);
        await db.SaveChangesAsync();
        var vote = new Vote
        {
            AssignmentId = assignment.Id, ComparisonId = comparisonId, ProjectId = ProjectId, RaterId = raterId, Strength = strength,
            AShownLeft = aShownLeft, SecondsOnTask = 12.5, SubmittedAtUtc = now, Rationale = rationale,
            VoidedAtUtc = voided ? now : null, VoidReason = voided ? "test" : null,
        };
        db.Votes.Add(vote);
        await db.SaveChangesAsync();
        return vote.Id;
    }

    public async Task<MemoryStream> ExportPreferencesAsync(PreferencePolicy? policy = null, int? project = null)
    {
        var output = new MemoryStream();
        await Exports.ExportPreferencesAsync(project ?? ProjectId, policy ?? new PreferencePolicy(), output);
        output.Position = 0;
        return output;
    }

    /// <summary>The lines of a preference export, parsed.</summary>
    public async Task<List<JsonElement>> PreferencesAsync(PreferencePolicy? policy = null, int? project = null)
    {
        var bytes = (await ExportPreferencesAsync(policy, project)).ToArray();
        return ParseJsonl(bytes);
    }

    public static List<JsonElement> ParseJsonl(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        if (text.Length > 0) Assert.EndsWith("\n", text);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    public async ValueTask DisposeAsync() => await Database.DisposeAsync();
}
