using Rlhf.Data.Exchange;

namespace Rlhf.Data.Tests.Exchange;

/// <summary>Reward runs read TRL files with the importer's parser: the same forms accepted, the same errors.</summary>
public sealed class TrlPreferenceReaderTests : IDisposable
{
    private readonly string file = Path.Combine(Path.GetTempPath(), $"rlhf-trl-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(file);

    [Fact]
    public async Task Plain_and_conversational_records_are_read_and_identical_pairs_skipped()
    {
        await File.WriteAllTextAsync(file,
            "{\"prompt\": \"Where is my order?\", \"chosen\": \"It ships today.\", \"rejected\": \"Ok.\"}\n" +
            "\n" +
            "{\"prompt\": [{\"role\": \"user\", \"content\": \"Refund please.\"}], \"chosen\": [{\"role\": \"assistant\", \"content\": \"Refunded.\"}], \"rejected\": [{\"role\": \"assistant\", \"content\": \"No.\"}]}\n" +
            "{\"prompt\": \"Same?\", \"chosen\": \"Yes.\", \"rejected\": \" Yes. \"}\n");
        var pairs = await TrlPreferenceReader.ReadAsync(file);
        Assert.Equal(2, pairs.Count);
        Assert.Equal(new TrlPreference(1, "Where is my order?", null, "It ships today.", "Ok."), pairs[0]);
        Assert.Equal(3, pairs[1].Line);
        Assert.Equal("Refunded.", pairs[1].Chosen);
        Assert.Equal("No.", pairs[1].Rejected);
        Assert.Contains("Refund please.", pairs[1].Prompt);
        Assert.NotNull(pairs[1].MessagesJson);
    }

    [Theory]
    [InlineData("{\"prompt\": \"q\", \"chosen\": \"a\"}\n", "line 1: missing field 'rejected'")]
    [InlineData("{\"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": \"b\"}\n{\"prompt\": 3, \"chosen\": \"a\", \"rejected\": \"b\"}\n", "line 2: field 'prompt' must be a string")]
    [InlineData("{\"prompt\": \"q\", \"responses\": [\"a\", \"b\"]}\n", "line 1: missing fields 'chosen' and 'rejected'")]
    [InlineData("not json\n", "line 1: invalid JSON")]
    [InlineData("\n\n", "the file has no preference pairs")]
    public async Task Bad_files_name_the_line_and_the_field(string text, string expected)
    {
        await File.WriteAllTextAsync(file, text);
        var error = await Assert.ThrowsAsync<FormatException>(() => TrlPreferenceReader.ReadAsync(file));
        Assert.StartsWith(expected, error.Message);
    }
}
