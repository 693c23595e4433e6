using Microsoft.Extensions.Configuration;
using Rlhf.Data.Database;

namespace Rlhf.Data.Exchange;

/// <summary>
/// The installation's limits on imports (section <c>Imports</c> of appsettings.json). A caller's
/// <see cref="ImportOptions"/> may ask for less, never for more. The site's upload form, the REST endpoint and the job
/// all read the same values, so the UI and the server agree on what is accepted.
/// </summary>
public sealed record ImportSettings
{
    public const string Section = "Imports";

    /// <summary>Candidate responses one record may give (all pairs of 16 are 120 comparisons; of 1,000, 499,500).</summary>
    public int MaxResponsesPerPrompt { get; init; } = 16;

    /// <summary>The longest line (or CSV record) accepted, in bytes.</summary>
    public int MaxLineBytes { get; init; } = ImportOptions.DefaultMaxLineBytes;

    /// <summary>The largest upload (request body or file on the Data page), in bytes.</summary>
    public long MaxUploadBytes { get; init; } = 1L << 30;

    /// <summary>Reads the section; a value out of range stops start-up with a message naming the setting.</summary>
    public static ImportSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var settings = new ImportSettings
        {
            MaxResponsesPerPrompt = section.GetValue(nameof(MaxResponsesPerPrompt), 16),
            MaxLineBytes = section.GetValue(nameof(MaxLineBytes), ImportOptions.DefaultMaxLineBytes),
            MaxUploadBytes = section.GetValue(nameof(MaxUploadBytes), 1L << 30),
        };
        if (settings.MaxResponsesPerPrompt is < 2 or > 1000)
            throw new StartupConfigurationException($"{Section}:{nameof(MaxResponsesPerPrompt)} must be between 2 and 1000, not {settings.MaxResponsesPerPrompt}.");
        if (settings.MaxLineBytes is < 1024 or > ImportOptions.LargestMaxLineBytes)
            throw new StartupConfigurationException($"{Section}:{nameof(MaxLineBytes)} must be between 1024 and {ImportOptions.LargestMaxLineBytes}, not {settings.MaxLineBytes}.");
        if (settings.MaxUploadBytes < 1024)
            throw new StartupConfigurationException($"{Section}:{nameof(MaxUploadBytes)} must be at least 1024, not {settings.MaxUploadBytes}.");
        return settings;
    }
}
