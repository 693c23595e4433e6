using System.Text;
using Microsoft.Extensions.Configuration;
using Rlhf.Data.Database;
using Rlhf.Data.Exchange;

namespace Rlhf.Data.Tests.Exchange;

/// <summary>Each bad input gives a clear error naming the line and field, and leaves every table as it was.</summary>
public class ValidationTests
{
    private const string Good = "{\"prompt\": \"A good line\", \"responses\": [\"one\", \"two\"]}\n";

    public static TheoryData<string, string, string> BadJsonl => new()
    {
        { "broken JSON", Good + "{\"prompt\": \"unterminated\"\n" + Good, "line 2: invalid JSON (at byte" },
        { "trailing garbage", Good + Good + "{\"prompt\": \"x\"} extra\n", "line 3: invalid JSON" },
        { "not an object", "[1, 2]\n" + Good, "line 1: expected a JSON object, found a list" },
        { "missing prompt", Good + "{\"chosen\": \"a\", \"rejected\": \"b\"}\n", "line 2: missing field 'prompt'" },
        { "missing rejected", "{\"prompt\": \"p\", \"chosen\": \"a\"}\n", "line 1: missing field 'rejected'" },
        { "missing text", "{\"prompt\": \"p\", \"responses\": [{\"source\": \"x\"}]}\n", "line 1: missing field 'responses[0].text'" },
        { "prompt wrong type", Good + Good + Good + "{\"prompt\": 12}\n", "line 4: field 'prompt' must be a string or a list of {\"role\", \"content\"} messages, not a number" },
        { "response text wrong type", "{\"prompt\": \"p\", \"responses\": [{\"text\": \"ok\"}, {\"text\": 3}]}\n", "line 1: field 'responses[1].text' must be a string, not a number" },
        { "responses not a list", "{\"prompt\": \"p\", \"responses\": \"a\"}\n", "line 1: field 'responses' must be a list, not a string" },
        { "chosen wrong type", "{\"prompt\": \"p\", \"chosen\": true, \"rejected\": \"b\"}\n", "line 1: field 'chosen' must be a string or a list of {\"role\", \"content\"} messages, not a boolean" },
        { "bad role", "{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}\n", "line 1: field 'messages[0].role' must be system, user or assistant, not 'robot'" },
        { "messages not a list", "{\"messages\": \"hello\"}\n", "line 1: field 'messages' must be a list of {\"role\", \"content\"} messages, not a string" },
        { "empty prompt", "{\"prompt\": \"   \"}\n", "line 1: field 'prompt' is empty" },
        { "null prompt", "{\"prompt\": null}\n", "line 1: field 'prompt' must be a string or a list of {\"role\", \"content\"} messages, not null" },
        { "duplicate key", "{\"prompt\": \"a\", \"prompt\": \"b\"}\n", "line 1: invalid JSON" },
        { "long source", "{\"prompt\": \"p\", \"responses\": [{\"text\": \"a\", \"source\": \"" + new string('s', 201) + "\"}]}\n", "line 1: field 'responses[0].source' is longer than 200 characters" },
        { "lone surrogate", Good + "{\"prompt\": \"p\\ud800\"}\n", "line 2: field 'prompt' holds an unpaired surrogate escape (\\ud800-\\udfff), which is not text" },
        { "lone low surrogate in a response", "{\"prompt\": \"p\", \"responses\": [\"a\", \"b\\udc00\"]}\n", "line 1: field 'responses[1]' holds an unpaired surrogate escape" },
        { "lone surrogate in a message", "{\"messages\": [{\"role\": \"user\", \"content\": \"\\ud800\"}]}\n", "line 1: field 'messages[0].content' holds an unpaired surrogate escape" },
        { "lone surrogate in a key", "{\"prompt\": \"p\", \"\\ud800\": 1}\n", "line 1: a key holds an unpaired surrogate escape (\\ud800-\\udfff), which is not text" },
        { "empty file", "", "file is empty" },
        { "blank file", "\n  \n\r\n", "file is empty" },
    };

    [Theory]
    [MemberData(nameof(BadJsonl))]
    public async Task Bad_jsonl_imports_nothing_and_names_the_line_and_field(string name, string input, string expected)
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var before = await f.CountAllAsync();

        var report = await f.ImportAsync(input);

        Assert.False(report.Committed, name);
        Assert.Contains(report.Errors, e => e.ToString().StartsWith(expected, StringComparison.Ordinal));
        Assert.Equal(before, await f.CountAllAsync());
    }

    public static TheoryData<string, string, string> BadCsv => new()
    {
        { "wrong header", "question,answer\nq,a\n", "line 1: unknown column 'question'; expected columns: prompt, then either response_1..response_n (each with an optional source_i) or chosen, rejected" },
        { "no prompt column", "response_1,response_2\na,b\n", "line 1: missing column 'prompt'; expected columns: prompt" },
        { "chosen without rejected", "prompt,chosen\np,a\n", "line 1: missing column 'rejected'" },
        { "both layouts", "prompt,response_1,chosen,rejected\np,a,b,c\n", "line 1: give either response_i columns or chosen, rejected" },
        { "duplicate column", "prompt,prompt\np,q\n", "line 1: column 'prompt' appears twice" },
        { "source without response", "prompt,response_1,source_2\np,a,b\n", "line 1: column 'source_2' has no column 'response_2'" },
        { "wrong field count", "prompt,response_1,response_2\na,b,c\nd,e\n", "line 3: expected 3 fields (as in the header), found 2" },
        { "empty prompt", "prompt,chosen,rejected\n,a,b\n", "line 2: field 'prompt' is empty" },
        { "empty chosen", "prompt,chosen,rejected\np,  ,b\n", "line 2: field 'chosen' is empty" },
        { "unclosed quote", "prompt,response_1\np,a\nq,\"never closed\nstill open\n", "line 3: a quoted field is not closed (field 2, opened on line 3)" },
        { "text after quote", "prompt,response_1\n\"p\"x,a\n", "line 2: unexpected text after the closing quote of field 1" },
        { "header only", "prompt,response_1,response_2\n", "file has a header but no rows" },
        { "empty file", "", "file is empty" },
    };

    [Theory]
    [MemberData(nameof(BadCsv))]
    public async Task Bad_csv_imports_nothing_and_names_the_line_and_column(string name, string input, string expected)
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var before = await f.CountAllAsync();

        var report = await f.ImportAsync(input, ImportFormat.Csv);

        Assert.False(report.Committed, name);
        Assert.Contains(report.Errors, e => e.ToString().StartsWith(expected, StringComparison.Ordinal));
        Assert.Equal(before, await f.CountAllAsync());
    }

    [Fact]
    public async Task A_10_MB_line_is_refused_by_line_number_without_being_read_whole()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var before = await f.CountAllAsync();
        var huge = new StringBuilder("{\"prompt\": \"").Append('x', 10 * 1024 * 1024).Append("\"}\n").ToString();

        var report = await f.ImportAsync(Good + huge + Good);

        Assert.False(report.Committed);
        Assert.Equal("line 2: line longer than 256 KiB (262144 bytes)", Assert.Single(report.Errors).ToString());
        Assert.Equal(before, await f.CountAllAsync());

        // The reader's buffer never grew past the limit (+1 for a "\r").
        var reader = new Utf8LineReader(new MemoryStream(Encoding.UTF8.GetBytes(huge)), 1 << 20);
        var line = await reader.ReadLineAsync();
        Assert.NotNull(line!.Value.Error);
        Assert.True(reader.BufferCapacity <= (1 << 20) + 1, $"buffer {reader.BufferCapacity}");
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_with_its_line_and_position()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var before = await f.CountAllAsync();
        var bytes = Encoding.UTF8.GetBytes(Good).Concat("{\"prompt\": \"caf"u8.ToArray()).Concat(new byte[] { 0xC3, 0x28 })
            .Concat("\"}\n"u8.ToArray()).Concat(Encoding.UTF8.GetBytes(Good)).ToArray();

        var report = await f.ImportAsync(bytes);

        Assert.False(report.Committed);
        Assert.StartsWith("line 2: invalid UTF-8 at byte 16 of the line (0xC3)", Assert.Single(report.Errors).ToString());
        Assert.Equal(before, await f.CountAllAsync());
    }

    [Fact]
    public async Task Invalid_utf8_in_a_csv_row_is_refused_too()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var bytes = "prompt,chosen,rejected\np,a,b\n"u8.ToArray().Concat(new byte[] { 0xFF, (byte)',', (byte)'a', (byte)',', (byte)'b', (byte)'\n' }).ToArray();
        var report = await f.ImportAsync(bytes, ImportFormat.Csv);
        Assert.False(report.Committed);
        Assert.StartsWith("line 3: invalid UTF-8", Assert.Single(report.Errors).ToString());
    }

    [Fact]
    public async Task Every_bad_line_is_listed_not_just_the_first()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var report = await f.ImportAsync(Good + "{\n" + Good + "{\"prompt\": 1}\n" + "{\"prompt\": \"p\", \"chosen\": \"a\"}\n");
        Assert.False(report.Committed);
        Assert.Equal([2L, 4L, 5L], report.Errors.Select(e => e.Line!.Value));
        Assert.Equal(["prompt", "rejected"], report.Errors.Skip(1).Select(e => e.Field));
        Assert.Equal(5, report.Records);
        Assert.Equal(3, report.BadRecords);
    }

    [Fact]
    public async Task Skip_bad_lines_imports_the_good_ones_and_lists_the_bad()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var input = Good + "not json\n" + Good + "{\"prompt\": 5}\n" + "{\"prompt\": \"p\", \"chosen\": \"same\", \"rejected\": \" same \"}\n" + Good;

        var report = await f.ImportAsync(input, options: new ImportOptions { SkipBadLines = true });

        Assert.True(report.Committed);
        Assert.Equal((6L, 3L, 2L, 1L), (report.Records, report.ImportedRecords, report.BadRecords, report.IdenticalPreferencesSkipped));
        Assert.Equal(2, report.Errors.Count);
        Assert.StartsWith("line 2: invalid JSON", report.Errors[0].ToString());
        Assert.StartsWith("line 4: field 'prompt' must be a string", report.Errors[1].ToString());
        Assert.Equal("line 5: fields 'chosen' and 'rejected' are identical; the record is skipped", Assert.Single(report.Warnings).ToString());
        await using var db = await f.DbAsync();
        Assert.Equal(3, db.Prompts.Count());
        Assert.Equal(6, db.Responses.Count());
        Assert.Equal(3, db.Comparisons.Count());
    }

    [Fact]
    public async Task A_lone_surrogate_is_a_line_error_that_skip_bad_lines_skips()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var input = Good + "{\"prompt\": \"half a pair \\ud83d\", \"responses\": [\"x\", \"y\"]}\n" + Good.Replace("A good line", "Another");

        var report = await f.ImportAsync(input, options: new ImportOptions { SkipBadLines = true });

        Assert.True(report.Committed);
        Assert.Equal((3L, 2L, 1L), (report.Records, report.ImportedRecords, report.BadRecords));
        Assert.Equal("line 2: field 'prompt' holds an unpaired surrogate escape (\\ud800-\\udfff), which is not text", Assert.Single(report.Errors).ToString());
        await using var db = await f.DbAsync();
        Assert.Equal(["A good line", "Another"], db.Prompts.OrderBy(p => p.Id).Select(p => p.Text).ToList());
    }

    [Fact]
    public async Task A_record_with_more_responses_than_the_limit_is_a_line_error_and_nothing_is_written()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var before = await f.CountAllAsync();
        var many = ExchangeFixture.Jsonl(new { prompt = "p", responses = Enumerable.Range(0, 1000).Select(i => $"r{i}").ToArray() });

        var report = await f.ImportAsync(Good + many);

        Assert.False(report.Committed);
        var error = Assert.Single(report.Errors);
        Assert.Equal("line 2: 1000 responses for one prompt; at most 16 are accepted (setting Imports:MaxResponsesPerPrompt)", error.ToString());
        Assert.Equal("responses", error.Field);
        Assert.Equal(before, await f.CountAllAsync());

        var skipped = await f.ImportAsync(Good + many, options: new ImportOptions { SkipBadLines = true });
        Assert.True(skipped.Committed);
        Assert.Equal((1L, 1L, 1L), (skipped.ImportedRecords, skipped.BadRecords, skipped.Comparisons));
    }

    [Fact]
    public async Task The_installation_limits_win_over_a_callers_options()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var strict = new ImportService(f.Contexts, TimeProvider.System, new ImportSettings { MaxResponsesPerPrompt = 3, MaxLineBytes = 2048 });
        var input = ExchangeFixture.Jsonl(new { prompt = "p", responses = new[] { "a", "b", "c", "d" } }) + "{\"prompt\": \"" + new string('x', 3000) + "\"}\n";

        var report = await strict.ImportAsync(f.ProjectId, new MemoryStream(Encoding.UTF8.GetBytes(input)), ImportFormat.Jsonl,
            new ImportOptions { MaxLineBytes = 1 << 20, MaxResponsesPerPrompt = 100 }, null, null);

        Assert.False(report.Committed);
        Assert.Equal(["line 1: 4 responses for one prompt; at most 3 are accepted (setting Imports:MaxResponsesPerPrompt)", "line 2: line longer than 2 KiB (2048 bytes)"],
            report.Errors.Select(e => e.ToString()));
        var csv = await strict.ImportAsync(f.ProjectId, new MemoryStream("prompt,response_1,response_2,response_3,response_4\np,a,b,c,d\nq,a,b,,\n"u8.ToArray()),
            ImportFormat.Csv, new ImportOptions { SkipBadLines = true }, null, null);
        Assert.True(csv.Committed);
        Assert.Equal("line 2: 4 responses for one prompt; at most 3 are accepted (setting Imports:MaxResponsesPerPrompt)", Assert.Single(csv.Errors).ToString());
        Assert.Equal(1, csv.Comparisons);
    }

    [Theory]
    [InlineData("MaxResponsesPerPrompt", "1", "Imports:MaxResponsesPerPrompt must be between 2 and 1000, not 1.")]
    [InlineData("MaxLineBytes", "10", "Imports:MaxLineBytes must be between 1024 and 268435456, not 10.")]
    [InlineData("MaxUploadBytes", "0", "Imports:MaxUploadBytes must be at least 1024, not 0.")]
    public void A_bad_import_setting_stops_start_up_naming_it(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"Imports:{key}"] = value }).Build();
        Assert.Equal(expected, Assert.Throws<StartupConfigurationException>(() => { ImportSettings.From(configuration); }).Message);
        Assert.Equal(16, ImportSettings.From(new ConfigurationBuilder().Build()).MaxResponsesPerPrompt);
    }

    [Fact]
    public async Task Skip_bad_lines_with_no_good_line_imports_nothing()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var before = await f.CountAllAsync();
        var report = await f.ImportAsync("nope\n{\"prompt\": 1}\n", options: new ImportOptions { SkipBadLines = true });
        Assert.False(report.Committed);
        Assert.Equal(2, report.Errors.Count);
        Assert.Equal(before, await f.CountAllAsync());
    }

    [Fact]
    public async Task A_wrong_csv_header_is_fatal_even_when_skipping_bad_lines()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var report = await f.ImportAsync("prompt,respnse_1\np,a\n", ImportFormat.Csv, new ImportOptions { SkipBadLines = true });
        Assert.False(report.Committed);
        Assert.StartsWith("line 1: unknown column 'respnse_1'", Assert.Single(report.Errors).ToString());
    }

    [Fact]
    public async Task Errors_are_counted_all_but_listed_up_to_the_limit()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var report = await f.ImportAsync(string.Concat(Enumerable.Repeat("x\n", 500)), options: new ImportOptions { MaxReportedErrors = 10 });
        Assert.Equal(10, report.Errors.Count);
        Assert.Equal(500, report.ErrorCount);
    }

    [Fact]
    public async Task An_unknown_project_or_bad_options_are_errors_without_a_line()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var missing = await f.ImportAsync(Good, project: 9999);
        Assert.Equal("Project 9999 does not exist.", Assert.Single(missing.Errors).ToString());
        var bad = await f.ImportAsync(Good, options: new ImportOptions { PairsPerPrompt = 0 });
        Assert.Equal("Pairs per prompt must be at least 1.", Assert.Single(bad.Errors).ToString());
    }

    [Fact]
    public async Task A_cancelled_import_rolls_back_everything()
    {
        await using var f = await ExchangeFixture.CreateAsync();
        var before = await f.CountAllAsync();
        var text = ExchangeFixture.Jsonl(Enumerable.Range(0, 3000).Select(i => (object)new { prompt = $"p{i}", chosen = "a", rejected = "b" }).ToArray());
        using var cts = new CancellationTokenSource();
        var progress = new CancelOnWrite(cts, batches: 2);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            f.Imports.ImportAsync(f.ProjectId, stream, ImportFormat.Jsonl, new ImportOptions { BatchSize = 500 }, null, progress, cts.Token));
        Assert.Equal(before, await f.CountAllAsync());
    }

    private sealed class CancelOnWrite(CancellationTokenSource cts, int batches) : IProgress<ImportProgress>
    {
        private int seen;
        public void Report(ImportProgress value)
        {
            if (value.DatabaseLocked && ++seen == batches) cts.Cancel();
        }
    }
}
