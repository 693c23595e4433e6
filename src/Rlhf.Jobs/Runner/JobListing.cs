using System.Text.Json;
using Rlhf.Core.Jobs;

namespace Rlhf.Jobs.Runner;

/// <summary>
/// A job as the Jobs page lists it: with the name its settings give it (a run's or model's name; empty when its kind
/// has none) and the e-mail of who started it (null when the platform did: seeding, the CLI).
/// </summary>
public sealed record JobListing(Job Job, string Name, string? OwnerEmail)
{
    /// <summary>The payload's top-level "name" (any casing), or empty.</summary>
    public static string NameOf(string payloadJson)
    {
        try
        {
            using var document = JsonDocument.Parse(payloadJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return "";
            foreach (var property in document.RootElement.EnumerateObject())
                if (property.Name.Equals("name", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
                    return property.Value.GetString() ?? "";
        }
        catch (JsonException) { }
        return "";
    }
}
