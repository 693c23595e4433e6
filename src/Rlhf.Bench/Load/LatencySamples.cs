using System.Text.Json.Nodes;

namespace Rlhf.Bench.Load;

/// <summary>Latencies of one kind of call, in milliseconds; summarised as count, mean, p50/p95/p99 (nearest rank) and max.</summary>
internal sealed class LatencySamples
{
    private readonly List<double> milliseconds = [];

    public int Count => milliseconds.Count;

    public void Add(double ms) => milliseconds.Add(ms);

    public void AddRange(LatencySamples other) => milliseconds.AddRange(other.milliseconds);

    public double Percentile(double p)
    {
        if (milliseconds.Count == 0) return 0;
        var sorted = milliseconds.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public JsonObject ToJson() => new()
    {
        ["count"] = Count,
        ["mean"] = Round(Count == 0 ? 0 : milliseconds.Average()),
        ["p50"] = Round(Percentile(50)),
        ["p95"] = Round(Percentile(95)),
        ["p99"] = Round(Percentile(99)),
        ["max"] = Round(Count == 0 ? 0 : milliseconds.Max()),
    };

    private static double Round(double ms) => Math.Round(ms, 2);
}
