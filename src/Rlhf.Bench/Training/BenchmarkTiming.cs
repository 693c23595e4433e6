using System.Diagnostics;

namespace Rlhf.Bench.Training;

/// <summary>Wall-clock timing helpers: warm-up runs, then repeated timed runs.</summary>
public static class BenchmarkTiming
{
    /// <summary>
    /// Runs <paramref name="action"/> untimed at least <paramref name="warmup"/> times and for at least
    /// <paramref name="minWarmupSeconds"/>, then <paramref name="repeats"/> times timed; returns the seconds of
    /// each timed run. The time floor matters for loops of many small torch calls: .NET's tiered JIT only
    /// replaces their first-tier code after a second or so, and decoding got about 2x faster over that time.
    /// </summary>
    public static double[] Measure(Action action, int warmup, int repeats, double minWarmupSeconds = 0)
    {
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < warmup || (warmup > 0 && warming.Elapsed.TotalSeconds < minWarmupSeconds); i++) action();
        var seconds = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            seconds[i] = sw.Elapsed.TotalSeconds;
        }
        return seconds;
    }

    /// <summary>
    /// The 1-minute load average (Linux /proc/loadavg), or null where unavailable. Reported beside the
    /// numbers: on a shared machine, other processes competing for the cores slow every benchmark.
    /// </summary>
    public static double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.TryParse(first, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x) ? x : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Rounds to <paramref name="digits"/> significant digits (so small numbers do not round to 0).</summary>
    public static double Round(double x, int digits = 4)
    {
        if (x == 0 || !double.IsFinite(x)) return x;
        var scale = Math.Pow(10, digits - 1 - (int)Math.Floor(Math.Log10(Math.Abs(x))));
        return Math.Round(x * scale) / scale;
    }

    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
