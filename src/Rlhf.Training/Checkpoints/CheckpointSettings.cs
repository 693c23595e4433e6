using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// The settings that shape a training run, as a checkpoint stores them ("settings": {"version", "values"}): an explicit
/// version plus the settings that matter, each named. A checkpoint fits a run when the versions agree and every setting
/// agrees; a setting the checkpoint does not name (added to the trainer after it was written) is taken to have been at
/// its default. Settings that do not shape the result (how often to sample, evaluate or checkpoint) are not listed, and
/// a new config property that is not listed cannot make an old checkpoint unresumable.
/// </summary>
public sealed class CheckpointSettings(int version, IReadOnlyList<CheckpointSetting> values)
{
    public int Version { get; } = version;
    public IReadOnlyList<CheckpointSetting> Values { get; } = values;

    public JsonObject ToJson()
    {
        var values = new JsonObject();
        foreach (var s in Values) values[s.Name] = s.Value;
        return new JsonObject { ["version"] = Version, ["values"] = values };
    }

    /// <summary>The "settings" of a checkpoint's state, or null when it has none (a checkpoint written before settings were versioned).</summary>
    public static CheckpointSettings? Read(JsonNode? node)
    {
        if (node is not JsonObject json) return null;
        var values = json["values"]!.AsObject().Select(p => new CheckpointSetting(p.Key, p.Value!.GetValue<string>(), "")).ToList();
        return new CheckpointSettings(json["version"]!.GetValue<int>(), values);
    }

    /// <summary>
    /// Null when a checkpoint saved with <paramref name="saved"/> fits these settings; otherwise the first difference,
    /// e.g. "kl_coef 0.05 in the checkpoint, 0.1 now".
    /// </summary>
    public string? DifferenceFrom(CheckpointSettings saved)
    {
        if (saved.Version != Version) return $"settings version {saved.Version} in the checkpoint, {Version} now";
        var stored = saved.Values.ToDictionary(s => s.Name, s => s.Value, StringComparer.Ordinal);
        foreach (var s in Values)
        {
            var then = stored.GetValueOrDefault(s.Name, s.Default);
            if (then != s.Value) return $"{s.Name} {then} in the checkpoint, {s.Value} now";
        }
        return null;
    }

    /// <summary>
    /// Null when a checkpoint fits <paramref name="now"/>: by its <paramref name="saved"/> settings, or, for a checkpoint
    /// written before settings were versioned, by its <paramref name="legacySha256"/> against <paramref name="legacyNow"/>
    /// (<see cref="LegacyHash{T}"/> of the config as it is now).
    /// </summary>
    public static string? Difference(CheckpointSettings? saved, string? legacySha256, CheckpointSettings now, Func<string> legacyNow) =>
        saved is not null ? now.DifferenceFrom(saved)
        : legacySha256 == legacyNow() ? null : "settings of a checkpoint written before settings were versioned";

    /// <summary>What checkpoints stored before settings were versioned: SHA-256 of the config's JSON.</summary>
    public static string LegacyHash<T>(T config) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(config))));
}
