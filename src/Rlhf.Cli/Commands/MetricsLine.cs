using System.Text.Json;

namespace Rlhf.Cli.Commands;

/// <summary>One step's metrics as the JSON line the training commands print: {"step": N, "name": value, ...} (TRL's names).</summary>
internal static class MetricsLine
{
    public static string Of(long step, IReadOnlyDictionary<string, double> values) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["step"] = step }.Concat(values.Select(kv => KeyValuePair.Create(kv.Key, (object)kv.Value))).ToDictionary());
}
