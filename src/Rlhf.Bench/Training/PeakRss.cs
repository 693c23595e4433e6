namespace Rlhf.Bench.Training;

/// <summary>The process's resident-set high-water mark (VmHWM in /proc/self/status, Linux): the peak memory it has held.</summary>
public static class PeakRss
{
    /// <summary>VmHWM in MiB, or null where /proc/self/status has none (not Linux).</summary>
    public static double? MegabytesOrNull()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return null;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        if (line is null) return null;
        var kb = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return Math.Round(kb / 1024.0, 1);
    }
}
