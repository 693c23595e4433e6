using System.Diagnostics;

namespace Rlhf.Training.Benchmarks;

/// <summary>Wall-clock timing helpers: warm-up runs, then repeated timed runs.</summary>
public static class BenchmarkTiming
{
    /// <summary>Runs <paramref name="action"/> <paramref name="warmup"/> times untimed, then <paramref name="repeats"/> times timed; returns the seconds of each timed run.</summary>
    public static double[] Measure(Action action, int warmup, int repeats)
    {
        for (var i = 0; i < warmup; i++) action();
        var seconds = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            seconds[i] = sw.Elapsed.TotalSeconds;
        }
        return seconds;
    }

    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
