using System.Globalization;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// One setting a checkpoint can only be resumed with: its name (the trainer config's TRL-style name), its value and its
/// default, both written invariantly ("R" for doubles, "null" for none). The default is what a checkpoint written before
/// the setting existed is taken to have used.
/// </summary>
public sealed record CheckpointSetting(string Name, string Value, string Default)
{
    public static CheckpointSetting Of<T>(string name, T value, T @default) => new(name, Text(value), Text(@default));

    private static string Text<T>(T value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
