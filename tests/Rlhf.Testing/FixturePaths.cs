using System.Text.Json;

namespace Rlhf.Testing;

/// <summary>The tiny model fixtures (tests/Rlhf.Testing/Fixtures) copied next to the test assembly, and their reference.json.</summary>
public static class FixturePaths
{
    /// <summary>The fixture folder <paramref name="name"/>, e.g. "gpt2-tiny-lm".</summary>
    public static string Of(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static string Lm => Of("gpt2-tiny-lm");

    public static string Reward => Of("gpt2-tiny-reward");

    public static JsonElement Reference(string folder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "reference.json")));
        return doc.RootElement.Clone();
    }

    public static long[][] InputIds(JsonElement reference)
        => reference.GetProperty("input_ids").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray();

    public static int[] Lengths(JsonElement reference)
        => reference.GetProperty("lengths").EnumerateArray().Select(x => x.GetInt32()).ToArray();
}
