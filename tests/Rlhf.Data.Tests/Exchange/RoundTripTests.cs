using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Data.Exchange;
using Rlhf.Data.Tests.Rating;
using Rlhf.Testing.Databases;

namespace Rlhf.Data.Tests.Exchange;

/// <summary>Import → votes → export → parse, for each format, checking the exported contents.</summary>
public class RoundTripTests
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Text(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    [Fact]
    public async Task Jsonl_prompts_with_candidates_rated_by_a_rater_export_the_preferred_texts()
    {
        await using var f = await ExchangeFixture.CreateAsync(k: 1);
        var report = await f.ImportAsync(ExchangeFixture.Jsonl(
            new { prompt = "How do I boil an egg?", responses = new object[] { new { text = "Boil it.", source = "model:a" }, new { text = "Put it in boiling water for 7 minutes, then cool it.", source = "model:b" } } },
            new { prompt = "Name a colour.", responses = new object[] { "Red.", new { text = "Blue, the colour of a clear sky." } } }));
        Assert.True(report.Committed, string.Join("\n", report.Errors));
        Assert.Equal((2, 2, 4, 2, 0), (report.ImportedRecords, report.Prompts, report.Responses, report.Comparisons, report.Votes));

        await using (var db = await f.DbAsync())
        {
            var sources = await db.Responses.OrderBy(r => r.Id).Select(r => r.Source).ToListAsync();
            Assert.Equal(["model:a", "model:b", "imported", "imported"], sources);
            Assert.All(await db.Comparisons.ToListAsync(), c => Assert.Equal(1, c.RequiredVotes)); // the project's k
        }

        // One rater prefers the longer answer each time, whatever side it is shown on.
        var raters = await RatingFixture.RatersAsync(f.Database, f.PoolId, 1);
        await f.RateAllAsync(raters, (left, right) => left.Length > right.Length);

        var lines = await f.PreferencesAsync();
        Assert.Equal(2, lines.Count);
        Assert.Equal(("How do I boil an egg?", "Put it in boiling water for 7 minutes, then cool it.", "Boil it."),
            (Text(lines[0], "prompt"), Text(lines[0], "chosen"), Text(lines[0], "rejected")));
        Assert.Equal(("Name a colour.", "Blue, the colour of a clear sky.", "Red."),
            (Text(lines[1], "prompt"), Text(lines[1], "chosen"), Text(lines[1], "rejected")));
        Assert.All(lines, l => Assert.Equal(["prompt", "chosen", "rejected"], l.EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public async Task Jsonl_trl_preferences_come_back_out_as_they_went_in_with_the_chosen_side_randomised()
    {
        await using var f = await ExchangeFixture.CreateAsync(k: 3);
        var input = Enumerable.Range(0, 40).Select(i => new { prompt = $"Question {i}? \"quoted\" é ✓", chosen = $"Good answer {i}.\nWith a second line.", rejected = $"Bad answer {i}." }).ToArray();
        var report = await f.ImportAsync(ExchangeFixture.Jsonl(input), options: new ImportOptions { Seed = 42 });
        Assert.True(report.Committed, string.Join("\n", report.Errors));
        Assert.Equal((40L, 40L, 80L, 40L, 40L), (report.ImportedRecords, report.Prompts, report.Responses, report.Comparisons, report.Votes));

        await using (var db = await f.DbAsync())
        {
            var imported = await db.Users.SingleAsync(u => u.Email == ImportedRater.Email);
            var votes = await db.Votes.ToListAsync();
            var comparisons = await db.Comparisons.ToDictionaryAsync(c => c.Id);
            var texts = await db.Responses.ToDictionaryAsync(r => r.Id, r => r.Text);
            Assert.All(votes, v => Assert.Equal(imported.Id, v.RaterId));
            // Strength 1 toward the chosen response, whichever side it was stored on.
            Assert.All(votes, v => Assert.StartsWith("Good", texts[v.Strength < 0 ? comparisons[v.ComparisonId].ResponseAId : comparisons[v.ComparisonId].ResponseBId]));
            Assert.All(votes, v => Assert.Equal(1, Math.Abs(v.Strength)));
            // The chosen response is A for some and B for others (seeded, so position does not leak).
            Assert.InRange(votes.Count(v => v.Strength < 0), 8, 32);
            Assert.All(comparisons.Values, c => Assert.Equal(1, c.RequiredVotes));
            Assert.Equal(40, await db.Assignments.CountAsync(a => a.Status == Rlhf.Core.Projects.AssignmentStatus.Submitted && a.RaterId == imported.Id));
        }

        var lines = await f.PreferencesAsync();
        Assert.Equal(input.Select(i => (i.prompt, i.chosen, i.rejected)), lines.Select(l => (Text(l, "prompt"), Text(l, "chosen"), Text(l, "rejected"))));
    }

    [Fact]
    public async Task Jsonl_conversational_preferences_export_in_the_conversational_form()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var messages = new object[]
        {
            new { role = "system", content = "You are terse." },
            new { role = "user", content = "Hi" },
            new { role = "assistant", content = "Hello." },
            new { role = "user", content = "What is 2+2?" },
        };
        var report = await f.ImportAsync(ExchangeFixture.Jsonl(new
        {
            prompt = messages,
            chosen = new object[] { new { role = "assistant", content = "4" } },
            rejected = new object[] { new { role = "assistant", content = "5" } },
        }));
        Assert.True(report.Committed, string.Join("\n", report.Errors));
        await using (var db = await f.DbAsync())
        {
            var prompt = await db.Prompts.SingleAsync();
            Assert.Equal("What is 2+2?", prompt.Text); // the last user message
            Assert.Equal(JsonSerializer.Serialize(messages, Relaxed), prompt.MessagesJson);
        }

        var line = Assert.Single(await f.PreferencesAsync());
        Assert.Equal(JsonSerializer.Serialize(messages, Relaxed), line.GetProperty("prompt").GetRawText());
        Assert.Equal("""[{"role":"assistant","content":"4"}]""", line.GetProperty("chosen").GetRawText());
        Assert.Equal("""[{"role":"assistant","content":"5"}]""", line.GetProperty("rejected").GetRawText());
    }

    [Fact]
    public async Task Jsonl_prompts_only_plain_and_conversations_are_stored_without_comparisons()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var report = await f.ImportAsync(ExchangeFixture.Jsonl(
            new { prompt = "Plain prompt" },
            new { messages = new object[] { new { role = "user", content = "First" }, new { role = "assistant", content = "Reply" }, new { role = "User", content = "Second" } } },
            new { messages = new object[] { new { role = "system", content = "Only a system message" } } }) + "\n   \n");
        Assert.True(report.Committed, string.Join("\n", report.Errors));
        Assert.Equal((3L, 3L, 0L, 0L), (report.Records, report.Prompts, report.Responses, report.Comparisons));
        await using var db = await f.DbAsync();
        var prompts = await db.Prompts.OrderBy(p => p.Id).ToListAsync();
        Assert.Equal(("Plain prompt", null), (prompts[0].Text, prompts[0].MessagesJson));
        Assert.Equal("Second", prompts[1].Text);
        Assert.Equal("""[{"role":"user","content":"First"},{"role":"assistant","content":"Reply"},{"role":"user","content":"Second"}]""", prompts[1].MessagesJson);
        Assert.Equal("system: Only a system message", prompts[2].Text); // no user message: a rendering
        // The rating page reads the stored conversation back.
        var turns = JsonSerializer.Deserialize<List<Rlhf.Data.Rating.ConversationTurn>>(prompts[1].MessagesJson!, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(["user", "assistant", "user"], turns.Select(t => t.Role));
    }

    [Fact]
    public async Task Csv_candidates_with_quotes_commas_and_newlines_round_trip_through_rating_and_export()
    {
        await using var f = await ExchangeFixture.CreateAsync(k: 1);
        var csv =
            "prompt,response_1,source_1,response_2,source_2\r\n" +
            "\"Write a haiku, please\",\"Short.\",model:a,\"An old silent pond,\nA frog jumps into the pond—\nsplash! Silence again.\",model:b\r\n" +
            "Say \"\"hi\"\",hi,,\"He said \"\"hello there\"\", then left.\",\r\n";
        var report = await f.ImportAsync(csv, ImportFormat.Csv);
        Assert.True(report.Committed, string.Join("\n", report.Errors));
        Assert.Equal((2L, 4L, 2L), (report.Prompts, report.Responses, report.Comparisons));
        await using (var db = await f.DbAsync())
        {
            var responses = await db.Responses.OrderBy(r => r.Id).ToListAsync();
            Assert.Equal(["model:a", "model:b", "imported", "imported"], responses.Select(r => r.Source));
            Assert.Equal("An old silent pond,\nA frog jumps into the pond—\nsplash! Silence again.", responses[1].Text);
            Assert.Equal("Say \"\"hi\"\"", (await db.Prompts.OrderBy(p => p.Id).Skip(1).FirstAsync()).Text); // unquoted: kept literally
        }

        var raters = await RatingFixture.RatersAsync(f.Database, f.PoolId, 1);
        await f.RateAllAsync(raters, (left, right) => left.Length > right.Length);
        var lines = await f.PreferencesAsync();
        Assert.Equal(2, lines.Count);
        Assert.Equal(("Write a haiku, please", "An old silent pond,\nA frog jumps into the pond—\nsplash! Silence again.", "Short."),
            (Text(lines[0], "prompt"), Text(lines[0], "chosen"), Text(lines[0], "rejected")));
        Assert.Equal(("He said \"hello there\", then left.", "hi"), (Text(lines[1], "chosen"), Text(lines[1], "rejected")));
    }

    [Fact]
    public async Task Csv_chosen_rejected_rows_become_imported_votes_and_export_back()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var report = await f.ImportAsync("Prompt , Chosen,Rejected\n2+2?,4,5\n\"Capital of France?\",Paris,\"Lyon, I think\"\n", ImportFormat.Csv);
        Assert.True(report.Committed, string.Join("\n", report.Errors));
        Assert.Equal((2L, 2L), (report.Comparisons, report.Votes));
        var lines = await f.PreferencesAsync();
        Assert.Equal([("2+2?", "4", "5"), ("Capital of France?", "Paris", "Lyon, I think")],
            lines.Select(l => (Text(l, "prompt"), Text(l, "chosen"), Text(l, "rejected"))));

        // Votes export: one vote per row, by the pseudo-rater, readable back with the CSV reader.
        using var votes = new MemoryStream();
        await f.Exports.ExportVotesAsync(f.ProjectId, VotesFormat.Csv, votes);
        var reader = new CsvRecordReader(new Utf8LineReader(new MemoryStream(votes.ToArray())), 1 << 20);
        var header = (await reader.ReadAsync())!.Fields!;
        Assert.Equal(ExportService.VoteColumns, header);
        var rows = new List<IReadOnlyList<string>>();
        while (await reader.ReadAsync() is { } row) rows.Add(row.Fields!);
        Assert.Equal(2, rows.Count);
        string Col(IReadOnlyList<string> row, string name) => row[header.ToList().IndexOf(name)];
        Assert.All(rows, r => Assert.Equal("imported", Col(r, "rater")));
        Assert.Equal(["Paris", "Lyon, I think"], new[] { Col(rows[1], "preferred") == "A" ? Col(rows[1], "response_a") : Col(rows[1], "response_b"), Col(rows[1], "preferred") == "A" ? Col(rows[1], "response_b") : Col(rows[1], "response_a") });
    }

    [Fact]
    public async Task A_non_seekable_upload_is_spooled_and_imported()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var bytes = Encoding.UTF8.GetBytes(ExchangeFixture.Jsonl(new { prompt = "a" }, new { prompt = "b" }));
        await using var stream = new ForwardOnlyStream(bytes);
        var report = await f.Imports.ImportAsync(f.ProjectId, stream, ImportFormat.Jsonl, new ImportOptions(), null, null);
        Assert.True(report.Committed, string.Join("\n", report.Errors));
        Assert.Equal(2, report.Prompts);
    }

    [Fact]
    public async Task A_successful_import_is_audited_once_in_its_own_transaction()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        await f.ImportAsync(ExchangeFixture.Jsonl(new { prompt = "p", chosen = "a", rejected = "b" }));
        await using var db = await f.DbAsync();
        var audit = await db.AuditEvents.SingleAsync(a => a.Action == "import.completed");
        Assert.Equal("test", audit.ActorName);
        Assert.Contains("1 records, 1 prompts, 2 responses, 1 comparisons, 1 imported votes", audit.Details);
    }

    [Fact]
    public async Task The_imported_pseudo_rater_cannot_sign_in_has_no_role_and_no_pool_and_is_reused()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        await f.ImportAsync(ExchangeFixture.Jsonl(new { prompt = "p", chosen = "a", rejected = "b" }));
        await f.ImportAsync(ExchangeFixture.Jsonl(new { prompt = "q", chosen = "c", rejected = "d" }), project: await f.AnotherProjectAsync());
        await using var db = await f.DbAsync();
        var user = await db.Users.SingleAsync(u => u.Email == ImportedRater.Email);
        Assert.Null(user.PasswordHash);
        Assert.True(user.LockoutEnabled);
        Assert.Equal(DateTimeOffset.MaxValue, user.LockoutEnd);
        Assert.Equal("IMPORTED@RLHF.INVALID", user.NormalizedEmail);
        Assert.False(await db.UserRoles.AnyAsync(r => r.UserId == user.Id));
        Assert.False(await db.PoolMembers.AnyAsync(m => m.UserId == user.Id));
        Assert.Equal(2, await db.Votes.CountAsync(v => v.RaterId == user.Id));
        // Not handed out to raters: each imported comparison is complete with its one vote.
        var raters = await RatingFixture.RatersAsync(f.Database, f.PoolId, 1);
        Assert.Null(await f.Rating.NextAsync(raters[0]));
    }

    [Fact]
    public async Task Progress_is_monotonic_by_bytes_and_ends_at_1()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var text = ExchangeFixture.Jsonl(Enumerable.Range(0, 5000).Select(i => (object)new { prompt = $"Prompt number {i}" }).ToArray());
        var seen = new List<ImportProgress>();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var report = await f.Imports.ImportAsync(f.ProjectId, stream, ImportFormat.Jsonl, new ImportOptions { BatchSize = 500 }, null, new SyncProgress(seen.Add));
        Assert.True(report.Committed);
        Assert.Equal(5000, report.Prompts);
        Assert.True(seen.Count > 10);
        Assert.Equal(seen.Select(p => p.Fraction).Order(), seen.Select(p => p.Fraction));
        Assert.Equal(1.0, seen[^1].Fraction);
        Assert.Equal(ImportPhase.Done, seen[^1].Phase);
        Assert.Contains(seen, p => p.Phase == ImportPhase.Writing && p.DatabaseLocked);
        Assert.All(seen.Where(p => p.Phase == ImportPhase.Validating), p => Assert.False(p.DatabaseLocked));
    }

    [SqliteOnlyFact]
    public async Task Imported_rows_are_stored_exactly_as_entity_framework_stores_them()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        await f.ImportAsync(ExchangeFixture.Jsonl(new { prompt = "p", chosen = "a", rejected = "b" }));
        var when = new DateTime(2026, 3, 4, 5, 6, 7, 890, DateTimeKind.Utc).AddTicks(1234);
        await using (var db = await f.DbAsync())
        {
            db.Prompts.Add(new Rlhf.Core.Projects.Prompt { ProjectId = f.ProjectId, Text = "by EF", CreatedAtUtc = when });
            await db.SaveChangesAsync();
        }
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={f.Database.FilePath};Pooling=False");
        await connection.OpenAsync();
        async Task<string> Row(string sql)
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            return string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "null" : $"{r.GetDataTypeName(i)}:{r.GetValue(i)}"));
        }
        // Same storage classes and text formats for both writers.
        var imported = await Row("SELECT typeof(CreatedAtUtc), length(CreatedAtUtc), MessagesJson, typeof(ProjectId) FROM Prompts WHERE Text = 'p'");
        var byEf = await Row("SELECT typeof(CreatedAtUtc), length(CreatedAtUtc) >= 19, MessagesJson, typeof(ProjectId) FROM Prompts WHERE Text = 'by EF'");
        Assert.StartsWith("TEXT:text|", imported);
        Assert.StartsWith("TEXT:text|", byEf);
        Assert.Equal("TEXT:2026-03-04 05:06:07.8901234", await Row("SELECT CreatedAtUtc FROM Prompts WHERE Text = 'by EF'"));
        Assert.Matches(@"^TEXT:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$", await Row("SELECT CreatedAtUtc FROM Prompts WHERE Text = 'p'"));
        Assert.Equal("TEXT:Submitted|INTEGER:1|TEXT:text", await Row("SELECT Status, AShownLeft, typeof(FinishedAtUtc) FROM Assignments"));
        Assert.Equal("TEXT:real|TEXT:integer|INTEGER:0|TEXT:", await Row("SELECT typeof(SecondsOnTask), typeof(Strength), BothBad, Rationale FROM Votes"));
        Assert.Equal("TEXT:imported", await Row("SELECT Source FROM Responses LIMIT 1"));
    }

    private sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
