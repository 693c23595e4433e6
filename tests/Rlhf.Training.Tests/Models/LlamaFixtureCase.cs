using System.Text.Json;

namespace Rlhf.Training.Tests.Models;

/// <summary>One case of a Llama-family fixture's reference.json: a row of ids evaluated in a right- or left-padded batch.</summary>
internal sealed record LlamaFixtureCase(string Padding, int Row, long[] Ids, JsonElement Expected)
{
    public static string Folder(string fixture) => FixturePaths.Of(fixture);

    public static (IReadOnlyList<LlamaFixtureCase> Cases, double Tolerance) Read(string fixture)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(fixture), "reference.json")));
        var root = doc.RootElement.Clone();
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new LlamaFixtureCase(
            c.GetProperty("padding").GetString()!,
            c.GetProperty("row").GetInt32(),
            c.GetProperty("ids").EnumerateArray().Select(x => x.GetInt64()).ToArray(),
            c)).ToList();
        return (cases, root.GetProperty("tolerance").GetDouble());
    }

    public double Number(string key) => Expected.GetProperty(key).GetDouble();

    public double[] Numbers(string key) => Expected.GetProperty(key).EnumerateArray().Select(x => x.GetDouble()).ToArray();

    public long[] Longs(string key) => Expected.GetProperty(key).EnumerateArray().Select(x => x.GetInt64()).ToArray();
}
