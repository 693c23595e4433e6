using System.Text.Json;

namespace Rlhf.Training.Tests;

/// <summary>The tiny GPT-2 fixtures copied next to the test assembly, and their reference.json.</summary>
internal static class FixturePaths
{
    public static string Lm => Path.Combine(AppContext.BaseDirectory, "Fixtures", "gpt2-tiny-lm");

    public static string Reward => Path.Combine(AppContext.BaseDirectory, "Fixtures", "gpt2-tiny-reward");

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
