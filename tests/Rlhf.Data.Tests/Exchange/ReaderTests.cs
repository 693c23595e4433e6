using System.Text;
using Rlhf.Data.Exchange;

namespace Rlhf.Data.Tests.Exchange;

public class ReaderTests
{
    private static async Task<List<RawLine>> LinesAsync(byte[] bytes, int max = 1 << 20, int chunk = 7)
    {
        var reader = new Utf8LineReader(new MemoryStream(bytes), max, chunk);
        var lines = new List<RawLine>();
        while (await reader.ReadLineAsync() is { } line) lines.Add(line);
        Assert.Equal(bytes.Length, reader.BytesRead);
        return lines;
    }

    [Fact]
    public async Task Lines_split_on_lf_and_crlf_across_chunks_with_a_bom_and_no_final_newline()
    {
        var lines = await LinesAsync([.. "\uFEFF"u8, .. "first\r\nsecond line é\n\nlast"u8]);
        Assert.Equal(["first", "second line é", "", "last"], lines.Select(l => l.Text));
        Assert.Equal([1L, 2, 3, 4], lines.Select(l => l.Number));
        Assert.Empty(await LinesAsync([]));
        Assert.Equal(["a"], (await LinesAsync("a\n"u8.ToArray())).Select(l => l.Text));
    }

    [Fact]
    public async Task A_long_line_is_an_error_and_reading_goes_on_after_it()
    {
        var lines = await LinesAsync(Encoding.UTF8.GetBytes("ok\n" + new string('x', 5000) + "\nafter\n" + new string('y', 2048) + "\r\n"), max: 2048);
        Assert.Equal("ok", lines[0].Text);
        Assert.Equal("line longer than 2 KiB (2048 bytes)", lines[1].Error);
        Assert.Equal("after", lines[2].Text);
        Assert.Equal(2048, lines[3].Text!.Length); // exactly the limit, "\r" not counted
    }

    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("\"a,b\",\"c\"\"d\",", new[] { "a,b", "c\"d", "" })]
    [InlineData("\"line one\nline two\",x", new[] { "line one\nline two", "x" })]
    [InlineData("\"\",,\"\"\"\"", new[] { "", "", "\"" })]
    [InlineData("say \"hi\",x", new[] { "say \"hi\"", "x" })]
    [InlineData(" padded , cells ", new[] { " padded ", " cells " })]
    public void Csv_records_follow_rfc_4180(string text, string[] expected) =>
        Assert.Equal(expected, CsvRecordReader.ParseRecord(text));

    [Fact]
    public async Task Csv_records_span_lines_and_keep_their_first_line_number()
    {
        var reader = new CsvRecordReader(new Utf8LineReader(new MemoryStream("h1,h2\r\n\"multi\r\nline\",x\r\n\r\nlast,y"u8.ToArray()), 1 << 20, 4), 1 << 20);
        var records = new List<CsvRecord>();
        while (await reader.ReadAsync() is { } r) records.Add(r);
        Assert.Equal([1L, 2, 5], records.Select(r => r.Line));
        Assert.Equal(["multi\nline", "x"], records[1].Fields);
        Assert.Equal(["last", "y"], records[2].Fields);
    }

    [Fact]
    public void Csv_writer_quotes_only_what_needs_it()
    {
        Assert.Equal("plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n", CsvWriter.Record(["plain", "a,b", "say \"hi\"", "two\nlines", null]));
        var parsed = CsvRecordReader.ParseRecord(CsvWriter.Record(["plain", "a,b", "say \"hi\"", "two\nlines", ""]).TrimEnd('\r', '\n'));
        Assert.Equal(["plain", "a,b", "say \"hi\"", "two\nlines", ""], parsed);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\",\"x\")", "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"")]
    [InlineData("+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\"")]
    [InlineData("-2+3", "\"'-2+3\"")]
    [InlineData("@SUM(1,2)", "\"'@SUM(1,2)\"")]
    [InlineData("\tx", "\"'\tx\"")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("-2", "-2")]
    [InlineData("+1.5e3", "+1.5e3")]
    [InlineData("a=b", "a=b")]
    public void Csv_writer_neutralises_cells_a_spreadsheet_would_run_as_formulas(string value, string expected)
    {
        Assert.Equal(expected, CsvWriter.Escape(value));
        Assert.Equal([expected == value ? value : "'" + value], CsvRecordReader.ParseRecord(expected));
    }

    [Theory]
    [InlineData("data.jsonl", ImportFormat.Jsonl)]
    [InlineData("DATA.CSV", ImportFormat.Csv)]
    [InlineData("x.ndjson", ImportFormat.Jsonl)]
    [InlineData("x.txt", null)]
    public void The_format_comes_from_the_extension(string name, ImportFormat? expected) =>
        Assert.Equal(expected, ImportFormats.FromFileName(name));
}
