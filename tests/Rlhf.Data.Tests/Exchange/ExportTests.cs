using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Rating;
using Rlhf.Data.Exchange;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests.Exchange;

/// <summary>
/// Eight comparisons ("Ai" against "Bi") with controlled votes by raters X, Y, Z, W; X is flagged by gold:
/// c0 Y-1 Z-1 W+1 · c1 Y-1 Z+1 · c2 Y-2 Z+1 W+1 · c3 gold A: X+1 Y-1 Z-1 · c4 Y+1 (void) Z-1 · c5 Y-1 (void) · c6 X+2 Y-1 · c7 none.
/// </summary>
public class ExportTests
{
    private sealed record Scene(ExchangeFixture F, List<long> Comparisons, string X, string Y, string Z, string W) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => F.DisposeAsync();
    }

    private static async Task<Scene> SceneAsync()
    {
        var f = await ExchangeFixture.CreateAsync(k: 3);
        var report = await f.ImportAsync(ExchangeFixture.Jsonl(Enumerable.Range(0, 8)
            .Select(i => (object)new { prompt = $"P{i}", responses = new[] { $"A{i}", $"B{i}" } }).ToArray()));
        Assert.True(report.Committed);
        var raters = await RatingFixture.RatersAsync(f.Database, f.PoolId, 4);
        var (x, y, z, w) = (raters[0], raters[1], raters[2], raters[3]);
        List<long> c;
        await using (var db = await f.DbAsync())
        {
            c = await db.Comparisons.OrderBy(x => x.Id).Select(x => x.Id).ToListAsync();
            var project = await db.Projects.SingleAsync(p => p.Id == f.ProjectId);
            project.GoldMinimumAnswers = 1;
            project.GoldMinimumAccuracy = 0.7;
            db.GoldAnswers.Add(new GoldAnswer { ComparisonId = c[3], Side = GoldSide.A, MinimumStrength = 1, CreatedAtUtc = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        await f.AddVoteAsync(c[0], y, -1); await f.AddVoteAsync(c[0], z, -1); await f.AddVoteAsync(c[0], w, 1, aShownLeft: false, rationale: "B is \"clearer\",\nshorter");
        await f.AddVoteAsync(c[1], y, -1); await f.AddVoteAsync(c[1], z, 1);
        await f.AddVoteAsync(c[2], y, -2); await f.AddVoteAsync(c[2], z, 1); await f.AddVoteAsync(c[2], w, 1);
        await f.AddVoteAsync(c[3], x, 1); await f.AddVoteAsync(c[3], y, -1); await f.AddVoteAsync(c[3], z, -1);
        await f.AddVoteAsync(c[4], y, 1, voided: true); await f.AddVoteAsync(c[4], z, -1);
        await f.AddVoteAsync(c[5], y, -1, voided: true);
        await f.AddVoteAsync(c[6], x, 2); await f.AddVoteAsync(c[6], y, -1);
        return new Scene(f, c, x, y, z, w);
    }

    private static async Task<(List<string> Chosen, PreferenceExportSummary Summary)> ExportAsync(Scene s, PreferencePolicy policy)
    {
        var output = new MemoryStream();
        var summary = await s.F.Exports.ExportPreferencesAsync(s.F.ProjectId, policy, output);
        var lines = ExchangeFixture.ParseJsonl(output.ToArray());
        Assert.All(lines, l => Assert.Equal(l.GetProperty("prompt").GetString()![1..], l.GetProperty("chosen").GetString()![1..]));
        Assert.All(lines, l => Assert.NotEqual(l.GetProperty("chosen").GetString(), l.GetProperty("rejected").GetString()));
        return (lines.Select(l => l.GetProperty("chosen").GetString()!).ToList(), summary);
    }

    [Fact]
    public async Task The_default_policy_drops_ties_gold_and_comparisons_without_votes_and_ignores_void_votes()
    {
        await using var s = await SceneAsync();
        var (chosen, summary) = await ExportAsync(s, new PreferencePolicy());
        Assert.Equal(["A0", "A4", "B6"], chosen);
        Assert.Equal(new PreferenceExportSummary
        {
            Comparisons = 8, Written = 3, DroppedTie = 2, DroppedGold = 1, DroppedTooFewVotes = 2, VotesCounted = 11,
        }, summary);
    }

    [Fact]
    public async Task Majority_counts_directions_and_drops_split_votes()
    {
        await using var s = await SceneAsync();
        var (chosen, summary) = await ExportAsync(s, new PreferencePolicy { Method = AggregationMethod.Majority });
        Assert.Equal(["A0", "B2", "A4"], chosen);
        Assert.Equal(2, summary.DroppedTie);
    }

    [Fact]
    public async Task Minimum_agreement_drops_contested_comparisons()
    {
        await using var s = await SceneAsync();
        var (chosen, summary) = await ExportAsync(s, new PreferencePolicy { MinimumAgreement = 0.7 });
        Assert.Equal(["A4"], chosen);
        Assert.Equal(2, summary.DroppedAgreement);
    }

    [Fact]
    public async Task Flagged_raters_are_excluded_on_request()
    {
        await using var s = await SceneAsync();
        var (chosen, summary) = await ExportAsync(s, new PreferencePolicy { ExcludeFlaggedRaters = true });
        Assert.Equal(["A0", "A4", "A6"], chosen);
        Assert.Equal(1, summary.FlaggedRatersExcluded);
        await using var db = await s.F.DbAsync();
        var project = await db.Projects.SingleAsync(p => p.Id == s.F.ProjectId);
        Assert.Equal([s.X], await ProjectPreferenceReader.FlaggedRatersAsync(db, project, default));
    }

    [Fact]
    public async Task Gold_is_included_on_request_ties_kept_on_request_and_a_minimum_of_votes()
    {
        await using var s = await SceneAsync();
        Assert.Equal(["A0", "A3", "A4", "B6"], (await ExportAsync(s, new PreferencePolicy { IncludeGold = true })).Chosen);
        var (kept, summary) = await ExportAsync(s, new PreferencePolicy { DropTies = false });
        Assert.Equal(["A0", "A1", "A2", "A4", "B6"], kept);
        Assert.Equal((2, 0), (summary.TiesWritten, summary.DroppedTie));
        Assert.Equal(["A0"], (await ExportAsync(s, new PreferencePolicy { MinimumVotes = 3 })).Chosen);
    }

    [Fact]
    public async Task A_bad_policy_or_project_is_refused()
    {
        await using var s = await SceneAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => s.F.Exports.ExportPreferencesAsync(s.F.ProjectId, new PreferencePolicy { MinimumAgreement = 1.5 }, Stream.Null));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => s.F.Exports.ExportPreferencesAsync(999, new PreferencePolicy(), Stream.Null));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => s.F.Exports.ExportVotesAsync(999, VotesFormat.Jsonl, Stream.Null));
    }

    [Fact]
    public async Task The_same_data_and_policy_give_the_same_bytes()
    {
        await using var s = await SceneAsync();
        foreach (var policy in new[] { new PreferencePolicy(), new PreferencePolicy { Method = AggregationMethod.Majority, DropTies = false, IncludeGold = true } })
        {
            var first = (await s.F.ExportPreferencesAsync(policy)).ToArray();
            var second = (await s.F.ExportPreferencesAsync(policy)).ToArray();
            Assert.NotEmpty(first);
            Assert.Equal(first, second);
        }
        foreach (var format in new[] { VotesFormat.Jsonl, VotesFormat.Csv })
        {
            using var first = new MemoryStream();
            using var second = new MemoryStream();
            await s.F.Exports.ExportVotesAsync(s.F.ProjectId, format, first);
            await s.F.Exports.ExportVotesAsync(s.F.ProjectId, format, second);
            Assert.True(first.Length > 1000);
            Assert.Equal(first.ToArray(), second.ToArray());
        }
        // Known bytes: no BOM, compact JSON, "\n" line ends, non-ASCII kept as UTF-8.
        await using var f = await ExchangeFixture.CreateAsync();
        await f.ImportAsync(ExchangeFixture.Jsonl(new { prompt = "Café <b>?", chosen = "Oui — \"yes\"", rejected = "Non" }));
        Assert.Equal("{\"prompt\":\"Café <b>?\",\"chosen\":\"Oui — \\\"yes\\\"\",\"rejected\":\"Non\"}\n",
            Encoding.UTF8.GetString((await f.ExportPreferencesAsync()).ToArray()));
    }

    [Fact]
    public async Task The_votes_export_has_every_vote_with_a_stable_pseudonym_the_order_shown_and_the_void_flag()
    {
        await using var s = await SceneAsync();
        using var output = new MemoryStream();
        var summary = await s.F.Exports.ExportVotesAsync(s.F.ProjectId, VotesFormat.Jsonl, output);
        Assert.Equal(new VotesExportSummary(16, 2), summary);
        var text = Encoding.UTF8.GetString(output.ToArray());
        var lines = ExchangeFixture.ParseJsonl(output.ToArray());
        Assert.Equal(16, lines.Count);
        Assert.All(lines, l => Assert.Equal(ExportService.VoteColumns, l.EnumerateObject().Select(p => p.Name)));

        // Ordered by comparison, then vote.
        var order = lines.Select(l => (l.GetProperty("comparison_id").GetInt64(), l.GetProperty("vote_id").GetInt64())).ToList();
        Assert.Equal(order.Order(), order);

        // Pseudonyms: one per rater, stable, and neither the user id nor the e-mail appears anywhere.
        await using var db = await s.F.DbAsync();
        var users = await db.Users.Where(u => new[] { s.X, s.Y, s.Z, s.W }.Contains(u.Id)).ToListAsync();
        foreach (var u in users)
        {
            Assert.DoesNotContain(u.Id, text);
            Assert.DoesNotContain(u.Email!, text);
        }
        var raters = lines.Select(l => l.GetProperty("rater").GetString()!).Distinct().ToList();
        Assert.Equal(4, raters.Count);
        Assert.All(raters, r => Assert.Matches("^r-[0-9a-f]{16}$", r));
        var pseudonyms = s.F.Database.Services.GetRequiredService<RaterPseudonyms>();
        Assert.Contains(pseudonyms.For(s.F.ProjectId, s.Y), raters);
        Assert.NotEqual(pseudonyms.For(s.F.ProjectId, s.Y), pseudonyms.For(s.F.ProjectId + 1, s.Y));

        var w = lines.Single(l => l.GetProperty("rater").GetString() == pseudonyms.For(s.F.ProjectId, s.W) && l.GetProperty("comparison_id").GetInt64() == s.Comparisons[0]);
        Assert.Equal(("B", 1, "B", "B is \"clearer\",\nshorter"), (w.GetProperty("shown_left").GetString(), w.GetProperty("strength").GetInt32(),
            w.GetProperty("preferred").GetString(), w.GetProperty("rationale").GetString()));
        Assert.Equal(("P0", "A0", "B0", "imported", "imported"), (w.GetProperty("prompt").GetString(), w.GetProperty("response_a").GetString(),
            w.GetProperty("response_b").GetString(), w.GetProperty("source_a").GetString(), w.GetProperty("source_b").GetString()));
        Assert.Equal(12.5, w.GetProperty("seconds_on_task").GetDouble());
        Assert.Equal(JsonValueKind.Null, w.GetProperty("prompt_messages").ValueKind);
        foreach (var name in new[] { "started_at", "submitted_at" })
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", w.GetProperty(name).GetString());

        var voided = lines.Where(l => l.GetProperty("voided").GetBoolean()).ToList();
        Assert.Equal([s.Comparisons[4], s.Comparisons[5]], voided.Select(v => v.GetProperty("comparison_id").GetInt64()));
        Assert.All(voided, v => Assert.Matches(@"^\d{4}-.*Z$", v.GetProperty("voided_at").GetString()));
        Assert.Equal(3, lines.Count(l => l.GetProperty("gold").GetBoolean()));
    }

    [Fact]
    public async Task The_skips_export_has_every_skip_with_its_kind_the_raters_words_and_what_was_skipped()
    {
        await using var s = await SceneAsync();
        var rating = s.F.Rating;
        var first = (await rating.NextAsync(s.X))!;
        Assert.True((await rating.SkipAsync(s.X, first.AssignmentId, SkipReasons.Compose(SkipReasons.Unsafe, "threatens the user"))).Succeeded);
        var second = (await rating.NextAsync(s.W))!;
        Assert.True((await rating.SkipAsync(s.W, second.AssignmentId, SkipReasons.Compose(SkipReasons.Other, "in Klingon"))).Succeeded);

        using var output = new MemoryStream();
        Assert.Equal(2, await s.F.Exports.ExportSkipsAsync(s.F.ProjectId, VotesFormat.Jsonl, output));
        var lines = ExchangeFixture.ParseJsonl(output.ToArray());
        Assert.All(lines, l => Assert.Equal(ExportService.SkipColumns, l.EnumerateObject().Select(p => p.Name)));
        var pseudonyms = s.F.Database.Services.GetRequiredService<RaterPseudonyms>();
        await using var db = await s.F.DbAsync();
        foreach (var (rater, task, kind, reason) in new[]
        {
            (s.X, first, SkipReasons.Unsafe, "Unsafe or harmful: threatens the user"),
            (s.W, second, SkipReasons.Other, "in Klingon"),
        })
        {
            var line = Assert.Single(lines, l => l.GetProperty("rater").GetString() == pseudonyms.For(s.F.ProjectId, rater));
            var comparison = await db.Assignments.Where(a => a.Id == task.AssignmentId).Select(a => a.ComparisonId).SingleAsync();
            var i = s.Comparisons.IndexOf(comparison!.Value);
            Assert.Equal((task.AssignmentId, comparison.Value, kind, reason), (line.GetProperty("assignment_id").GetInt64(),
                line.GetProperty("comparison_id").GetInt64(), line.GetProperty("kind").GetString(), line.GetProperty("reason").GetString()));
            Assert.Equal(($"P{i}", $"A{i}", $"B{i}"), (line.GetProperty("prompt").GetString(), line.GetProperty("response_a").GetString(), line.GetProperty("response_b").GetString()));
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line.GetProperty("skipped_at").GetString());
        }

        using var csv = new MemoryStream();
        Assert.Equal(2, await s.F.Exports.ExportSkipsAsync(s.F.ProjectId, VotesFormat.Csv, csv));
        var rows = Encoding.UTF8.GetString(csv.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(",", ExportService.SkipColumns), rows[0]);
        Assert.Equal(3, rows.Length);
        Assert.Contains(rows, r => r.Contains(",Other,in Klingon,"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => s.F.Exports.ExportSkipsAsync(999, VotesFormat.Jsonl, Stream.Null));
    }

    [Fact]
    public async Task The_votes_csv_reads_back_with_the_same_values_as_the_jsonl()
    {
        await using var s = await SceneAsync();
        using var jsonl = new MemoryStream();
        using var csv = new MemoryStream();
        await s.F.Exports.ExportVotesAsync(s.F.ProjectId, VotesFormat.Jsonl, jsonl);
        await s.F.Exports.ExportVotesAsync(s.F.ProjectId, VotesFormat.Csv, csv);
        var json = ExchangeFixture.ParseJsonl(jsonl.ToArray());
        var reader = new CsvRecordReader(new Utf8LineReader(new MemoryStream(csv.ToArray())), 1 << 20);
        Assert.Equal(ExportService.VoteColumns, (await reader.ReadAsync())!.Fields);
        var rows = new List<IReadOnlyList<string>>();
        while (await reader.ReadAsync() is { } r) rows.Add(r.Fields!);
        Assert.Equal(json.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
            for (var c = 0; c < ExportService.VoteColumns.Count; c++)
            {
                var value = json[i].GetProperty(ExportService.VoteColumns[c]);
                var expected = value.ValueKind switch
                {
                    JsonValueKind.Null => "",
                    JsonValueKind.String => value.GetString(),
                    _ => value.GetRawText(),
                };
                Assert.Equal(expected, rows[i][c]);
            }
    }

    [Fact]
    public async Task Imported_votes_count_like_others_and_export_as_the_imported_rater()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        await f.ImportAsync(ExchangeFixture.Jsonl(new { prompt = "p", chosen = "yes", rejected = "no" }));
        using var output = new MemoryStream();
        await f.Exports.ExportVotesAsync(f.ProjectId, VotesFormat.Jsonl, output);
        var vote = Assert.Single(ExchangeFixture.ParseJsonl(output.ToArray()));
        Assert.Equal("imported", vote.GetProperty("rater").GetString());
        Assert.Equal("yes", vote.GetProperty(vote.GetProperty("preferred").GetString() == "A" ? "response_a" : "response_b").GetString());
    }

    [Fact]
    public async Task Conversation_prompts_appear_in_the_votes_export_as_messages()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        await f.ImportAsync(ExchangeFixture.Jsonl(new { messages = new object[] { new { role = "user", content = "Hi, there" } }, responses = new[] { "Hello", "Hey" } }));
        var rater = (await RatingFixture.RatersAsync(f.Database, f.PoolId, 1))[0];
        await f.RateAllAsync([rater], (l, _) => l == "Hello");
        using var csv = new MemoryStream();
        await f.Exports.ExportVotesAsync(f.ProjectId, VotesFormat.Csv, csv);
        var text = Encoding.UTF8.GetString(csv.ToArray());
        Assert.Contains("\"[{\"\"role\"\":\"\"user\"\",\"\"content\"\":\"\"Hi, there\"\"}]\"", text);
        Assert.True(Regex.Matches(text, "\r\n").Count == 2);
    }

    [Fact]
    public async Task Formula_rationales_and_texts_are_escaped_in_the_votes_csv()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        await f.ImportAsync(ExchangeFixture.Jsonl(new { prompt = "@prompt", responses = new[] { "=1+1", "plain" } }));
        var rater = (await RatingFixture.RatersAsync(f.Database, f.PoolId, 1))[0];
        long comparison;
        await using (var db = await f.DbAsync()) comparison = await db.Comparisons.Select(c => c.Id).SingleAsync();
        await f.AddVoteAsync(comparison, rater, -2, rationale: "=HYPERLINK(\"http://evil.example\",\"ok\")");
        using var csv = new MemoryStream();
        await f.Exports.ExportVotesAsync(f.ProjectId, VotesFormat.Csv, csv);
        var text = Encoding.UTF8.GetString(csv.ToArray());
        Assert.Contains(",-2,A,", text);                                       // numbers stay numbers
        Assert.Contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"ok\"\")\",", text);
        Assert.Contains(",\"'@prompt\",", text);
        Assert.Contains("\"'=1+1\"", text);
        Assert.DoesNotContain(",=", text);
        Assert.DoesNotContain(",@", text);
    }
}
