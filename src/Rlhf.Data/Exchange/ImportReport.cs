namespace Rlhf.Data.Exchange;

/// <summary>
/// One problem with an import. <see cref="Line"/> is the 1-based physical line (for a CSV record spanning lines, the
/// line it starts on); null for a problem with the whole file or the request. <see cref="Field"/> names the JSON field
/// or CSV column when there is one. <see cref="ToString"/> gives "line 12: field 'prompt' must be a string ...".
/// </summary>
public sealed record ImportError(long? Line, string? Field, string Message)
{
    public override string ToString() => Line is { } line ? $"line {line}: {Message}" : Message;
}

/// <summary>What an import did.</summary>
public sealed record ImportReport
{
    public ImportFormat Format { get; init; }
    /// <summary>True when the import's transaction committed (at least one line was imported).</summary>
    public bool Committed { get; init; }
    /// <summary>Records read (non-blank JSONL lines, CSV rows after the header).</summary>
    public long Records { get; init; }
    public long ImportedRecords { get; init; }
    /// <summary>Bad records: with SkipBadLines these were skipped; without it they are why nothing was imported.</summary>
    public long BadRecords { get; init; }
    /// <summary>Preference records whose chosen and rejected texts are identical: skipped (a warning, not an error).</summary>
    public long IdenticalPreferencesSkipped { get; init; }
    public long Prompts { get; init; }
    public long Responses { get; init; }
    /// <summary>Candidate responses not stored because the same prompt already had the same (trimmed) text.</summary>
    public long DuplicateResponsesSkipped { get; init; }
    public long Comparisons { get; init; }
    /// <summary>Votes of the imported pseudo-rater (one per TRL preference record).</summary>
    public long Votes { get; init; }
    public long BytesRead { get; init; }
    /// <summary>The first <see cref="ImportOptions.MaxReportedErrors"/> errors, in file order.</summary>
    public IReadOnlyList<ImportError> Errors { get; init; } = [];
    /// <summary>Warnings (identical preferences skipped...), at most <see cref="ImportOptions.MaxReportedErrors"/>.</summary>
    public IReadOnlyList<ImportError> Warnings { get; init; } = [];
    /// <summary>All errors, listed or not.</summary>
    public long ErrorCount { get; init; }
    public TimeSpan Elapsed { get; init; }
}

public enum ImportPhase
{
    /// <summary>Reading the whole file to find every error; nothing is written and no lock is held.</summary>
    Validating = 0,

    /// <summary>Writing the good records in one transaction (the database's write lock is held, see <see cref="ImportProgress.DatabaseLocked"/>).</summary>
    Writing = 1,

    Done = 2,
}

/// <summary>
/// Where an import stands. <see cref="Fraction"/> runs 0..0.5 while validating and 0.5..1 while writing (by bytes read).
/// While <see cref="DatabaseLocked"/> is true the import holds SQLite's write lock: a progress handler must not write
/// to the database through another connection then (it would wait for the import's commit).
/// </summary>
public sealed record ImportProgress(ImportPhase Phase, long BytesRead, long TotalBytes, long Records, bool DatabaseLocked)
{
    public double Fraction
    {
        get
        {
            if (Phase == ImportPhase.Done) return 1;
            var part = TotalBytes <= 0 ? 0 : Math.Clamp((double)BytesRead / TotalBytes, 0, 1);
            return Phase == ImportPhase.Validating ? part * 0.5 : 0.5 + part * 0.5;
        }
    }
}
