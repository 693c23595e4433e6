using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rlhf.Jobs.Runs;

/// <summary>A <see cref="RunKind"/> in JSON: its name ("reward", "ppo").</summary>
public sealed class RunKindJsonConverter : JsonConverter<RunKind>
{
    public override RunKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var name = reader.GetString();
        return RunKind.All.FirstOrDefault(k => k.Name == name) ?? throw new JsonException($"there is no run kind \"{name}\"");
    }

    public override void Write(Utf8JsonWriter writer, RunKind value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
}
