namespace Rlhf.Data.Exchange;

/// <summary>The file formats an import reads.</summary>
public enum ImportFormat
{
    /// <summary>One JSON object per line; each line's shape (prompt, prompt + responses, TRL preference) is detected on its own.</summary>
    Jsonl = 0,

    /// <summary>RFC 4180 CSV with a header: <c>prompt</c>, then <c>response_1..response_n</c> (+ optional <c>source_i</c>) or <c>chosen,rejected</c>.</summary>
    Csv = 1,
}

/// <summary>How the candidate responses of one prompt become comparisons (A, B). A is always the earlier candidate.</summary>
public enum PairingMode
{
    /// <summary>Every pair of distinct candidates: n(n-1)/2 comparisons.</summary>
    All = 0,

    /// <summary>Each candidate against the next one in file order: n-1 comparisons.</summary>
    Adjacent = 1,

    /// <summary>
    /// <see cref="ImportOptions.PairsPerPrompt"/> pairs drawn without replacement from all pairs, with a Random seeded by
    /// <see cref="ImportOptions.Seed"/> and the line number (the same file and seed give the same pairs).
    /// </summary>
    Random = 2,
}

public static class ImportFormats
{
    /// <summary>The format for a file name's extension (.jsonl, .ndjson, .json: JSONL; .csv: CSV), or null when unknown.</summary>
    public static ImportFormat? FromFileName(string? fileName) =>
        Path.GetExtension(fileName ?? "").ToLowerInvariant() switch
        {
            ".jsonl" or ".ndjson" or ".json" => ImportFormat.Jsonl,
            ".csv" => ImportFormat.Csv,
            _ => null,
        };

    /// <summary>"jsonl" or "csv" (any case) to the format, or null.</summary>
    public static ImportFormat? Parse(string? name) =>
        name?.Trim().ToLowerInvariant() switch
        {
            "jsonl" or "ndjson" or "json" => ImportFormat.Jsonl,
            "csv" => ImportFormat.Csv,
            _ => null,
        };
}
