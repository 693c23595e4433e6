using System.Text.Json.Nodes;

namespace Rlhf.Bench.Load;

/// <summary>The machine a benchmark ran on: cores and the 1/5/15-minute load averages (Linux /proc/loadavg).</summary>
internal static class MachineLoad
{
    public static JsonObject Now()
    {
        var result = new JsonObject { ["cores"] = Environment.ProcessorCount };
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            result["loadAverage"] = new JsonArray(parts[0], parts[1], parts[2]);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return result;
    }
}
