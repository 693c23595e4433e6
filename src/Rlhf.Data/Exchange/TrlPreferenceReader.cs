namespace Rlhf.Data.Exchange;

/// <summary>
/// Reads a TRL preference JSONL file ({"prompt", "chosen", "rejected"}, plain or conversational) with the importer's
/// own parser, so reward runs, <c>rlhf train-reward</c> and <c>rlhf reward-score --data</c> accept exactly what an
/// import accepts and report errors the same way ("line 3: field 'chosen' ..."). Records whose chosen and rejected
/// are identical are skipped, as the importer skips them. Any other problem stops the read with a
/// <see cref="FormatException"/> naming the line and the field.
/// </summary>
public static class TrlPreferenceReader
{
    public static async Task<IReadOnlyList<TrlPreference>> ReadAsync(string path, CancellationToken ct = default)
    {
        await using var stream = File.OpenRead(path);
        var reader = new Utf8LineReader(stream);
        var result = new List<TrlPreference>();
        while (await reader.ReadLineAsync(ct) is { } raw)
        {
            if (raw.Error is { } error) throw new FormatException(new ImportError(raw.Number, null, error).ToString());
            if (string.IsNullOrWhiteSpace(raw.Text)) continue;
            ImportItem item;
            try
            {
                item = RecordParser.FromJson(raw.Number, raw.Text, "trl");
            }
            catch (RecordProblem problem) when (problem.IsWarning)
            {
                continue;
            }
            catch (RecordProblem problem)
            {
                throw new FormatException(new ImportError(raw.Number, problem.Field, problem.Message).ToString());
            }
            if (!item.IsPreference)
                throw new FormatException(new ImportError(raw.Number, "chosen", "missing fields 'chosen' and 'rejected' (a TRL preference record)").ToString());
            result.Add(new TrlPreference(raw.Number, item.PromptText, item.MessagesJson, item.Responses[0].Text, item.Responses[1].Text));
        }
        if (result.Count == 0) throw new FormatException("the file has no preference pairs");
        return result;
    }
}
