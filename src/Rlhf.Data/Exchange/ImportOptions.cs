namespace Rlhf.Data.Exchange;

/// <summary>How an import treats bad lines, pairs candidates and bounds its memory.</summary>
public sealed record ImportOptions
{
    public const int DefaultMaxLineBytes = 256 << 10;
    public const int LargestMaxLineBytes = 256 << 20;

    /// <summary>
    /// False (default): any bad line imports nothing. True: the good lines are imported and the bad ones are listed in
    /// the report.
    /// </summary>
    public bool SkipBadLines { get; init; }

    public PairingMode Pairing { get; init; } = PairingMode.All;

    /// <summary>For <see cref="PairingMode.Random"/>: pairs per prompt (fewer when the prompt has fewer distinct pairs).</summary>
    public int PairsPerPrompt { get; init; } = 1;

    /// <summary>Seeds random pairing and the side (A or B) an imported preference's chosen response is stored on.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// The longest line (or CSV record) accepted, in bytes; longer lines are an error and are never held in memory whole.
    /// The service lowers it to <see cref="ImportSettings.MaxLineBytes"/> when that is smaller.
    /// </summary>
    public int MaxLineBytes { get; init; } = DefaultMaxLineBytes;

    /// <summary>
    /// The most candidate responses one record may give; a record with more is an error. The service lowers it to
    /// <see cref="ImportSettings.MaxResponsesPerPrompt"/> when that is smaller.
    /// </summary>
    public int MaxResponsesPerPrompt { get; init; } = int.MaxValue;

    /// <summary>Records per write batch: progress is reported after each (memory does not grow with it).</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>At most this many errors are listed in the report (all are counted).</summary>
    public int MaxReportedErrors { get; init; } = 100;

    /// <summary>The response source when a line gives none.</summary>
    public string DefaultSource { get; init; } = "imported";

    /// <summary>Every problem with the options, each naming the option; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(Pairing)) errors.Add($"Pairing must be all, adjacent or random.");
        if (PairsPerPrompt < 1) errors.Add("Pairs per prompt must be at least 1.");
        if (MaxResponsesPerPrompt < 2) errors.Add("The maximum number of responses per prompt must be at least 2.");
        if (MaxLineBytes is < 1024 or > LargestMaxLineBytes) errors.Add("The maximum line length must be between 1 KiB and 256 MiB.");
        if (BatchSize is < 1 or > 100_000) errors.Add("The batch size must be between 1 and 100000.");
        if (MaxReportedErrors < 1) errors.Add("The number of reported errors must be at least 1.");
        if (string.IsNullOrWhiteSpace(DefaultSource) || DefaultSource.Length > ImportLimits.MaxSourceLength)
            errors.Add($"The default source must be 1 to {ImportLimits.MaxSourceLength} characters.");
        return errors;
    }
}

/// <summary>Limits that come from the schema.</summary>
public static class ImportLimits
{
    /// <summary>Response.Source's column length.</summary>
    public const int MaxSourceLength = 200;
}
