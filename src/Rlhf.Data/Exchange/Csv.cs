using System.Text;

namespace Rlhf.Data.Exchange;

/// <summary>One CSV record: its fields, or why it could not be read. <see cref="Line"/> is the line it starts on.</summary>
public sealed record CsvRecord(long Line, IReadOnlyList<string>? Fields, string? Error);

/// <summary>
/// A small RFC 4180 reader over <see cref="Utf8LineReader"/>: comma-separated fields; a field in double quotes may hold
/// commas, newlines and doubled quotes (""). Newlines inside quotes come back as "\n". A quote inside an unquoted field
/// is kept as a character; text after a closing quote (other than a comma) is an error. Blank lines between records
/// are skipped. A record longer than the line limit is an error.
/// </summary>
public sealed class CsvRecordReader(Utf8LineReader lines, int maxRecordChars)
{
    public long BytesRead => lines.BytesRead;

    /// <summary>The next record, or null at the end of the stream.</summary>
    public async ValueTask<CsvRecord?> ReadAsync(CancellationToken ct = default)
    {
        while (true)
        {
            var first = await lines.ReadLineAsync(ct);
            if (first is not { } raw) return null;
            if (raw.Error is not null) return new CsvRecord(raw.Number, null, raw.Error);
            if (raw.Text!.Length == 0) continue;

            var parser = new RecordParser(maxRecordChars);
            parser.Feed(raw.Text);
            while (parser.InQuotes && parser.Error is null)
            {
                var next = await lines.ReadLineAsync(ct);
                if (next is not { } more)
                    return new CsvRecord(raw.Number, null, $"a quoted field is not closed (field {parser.FieldCount + 1}, opened on line {parser.QuoteOpenedAt(raw.Number)})");
                if (more.Error is not null)
                    return new CsvRecord(raw.Number, null, $"line {more.Number} of this record: {more.Error}");
                parser.NewLine(more.Number - raw.Number);
                parser.Feed(more.Text!);
            }
            if (parser.Error is not null) return new CsvRecord(raw.Number, null, parser.Error);
            return new CsvRecord(raw.Number, parser.Finish(), null);
        }
    }

    /// <summary>Parses one record given as text (newlines inside quotes allowed): for tests and small inputs.</summary>
    public static IReadOnlyList<string> ParseRecord(string text)
    {
        var parser = new RecordParser(int.MaxValue);
        var physical = text.Split('\n');
        for (var i = 0; i < physical.Length; i++)
        {
            if (i > 0) parser.NewLine(i);
            parser.Feed(physical[i].TrimEnd('\r'));
        }
        if (parser.InQuotes) throw new FormatException("a quoted field is not closed");
        if (parser.Error is not null) throw new FormatException(parser.Error);
        return parser.Finish();
    }

    private sealed class RecordParser(int maxChars)
    {
        private readonly List<string> fields = [];
        private readonly StringBuilder field = new();
        private bool fieldStarted;
        private bool afterClosingQuote;
        private int totalChars;
        private long quoteOpenedOffset;
        private long lineOffset;

        public bool InQuotes { get; private set; }
        public string? Error { get; private set; }
        public int FieldCount => fields.Count;
        public long QuoteOpenedAt(long firstLine) => firstLine + quoteOpenedOffset;

        /// <summary>A newline inside a quoted field (the record continues on the next physical line).</summary>
        public void NewLine(long offset)
        {
            lineOffset = offset;
            field.Append('\n');
            totalChars++;
        }

        public void Feed(string text)
        {
            totalChars += text.Length;
            if (totalChars > maxChars)
            {
                Error = $"record longer than {Utf8LineReader.Describe(maxChars)}";
                InQuotes = false;
                return;
            }
            for (var i = 0; i < text.Length && Error is null; i++)
            {
                var c = text[i];
                if (InQuotes)
                {
                    if (c != '"') field.Append(c);
                    else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else { InQuotes = false; afterClosingQuote = true; }
                }
                else if (c == ',')
                {
                    EndField();
                }
                else if (afterClosingQuote)
                {
                    Error = $"unexpected text after the closing quote of field {fields.Count + 1}";
                }
                else if (c == '"' && !fieldStarted)
                {
                    InQuotes = true;
                    fieldStarted = true;
                    quoteOpenedOffset = lineOffset;
                }
                else
                {
                    field.Append(c);
                    fieldStarted = true;
                }
            }
        }

        private void EndField()
        {
            fields.Add(field.ToString());
            field.Clear();
            fieldStarted = false;
            afterClosingQuote = false;
        }

        public List<string> Finish()
        {
            EndField();
            return fields;
        }
    }
}

/// <summary>
/// Writes RFC 4180 CSV: fields with a comma, quote, CR or LF are quoted (quotes doubled); records end in CRLF.
/// A field a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a CR and is not a plain number) is
/// written as OWASP's CSV-injection sheet recommends: a single quote in front, and the whole field quoted, so
/// <c>=HYPERLINK("http://x")</c> becomes <c>"'=HYPERLINK(""http://x"")"</c>. Plain numbers ("-2", "+1.5e3") stay as they
/// are. A reader gets such a field back with the leading quote.
/// </summary>
public static class CsvWriter
{
    private static readonly System.Buffers.SearchValues<char> FormulaStarts = System.Buffers.SearchValues.Create("=+-@\t\r");

    public static string Escape(string? value)
    {
        value ??= "";
        if (StartsLikeFormula(value)) return "\"'" + value.Replace("\"", "\"\"") + "\"";
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0) return value;
        return "\"" + value.Replace("\"", "\"\"") + "\"";
    }

    public static string Record(IEnumerable<string?> fields) => string.Join(",", fields.Select(Escape)) + "\r\n";

    /// <summary>True when a spreadsheet could read the field as a formula: a formula start that is not a plain number.</summary>
    public static bool StartsLikeFormula(string value) =>
        value.Length > 0 && FormulaStarts.Contains(value[0])
        && !double.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint | System.Globalization.NumberStyles.AllowExponent, System.Globalization.CultureInfo.InvariantCulture, out _);
}
