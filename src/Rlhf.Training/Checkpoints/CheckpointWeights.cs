using System.Text.Json;
using static TorchSharp.torch;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// The weights of a checkpoint folder as the Hugging Face Hub ships them: one model.safetensors, or shards listed
/// in model.safetensors.index.json ({"metadata": {...}, "weight_map": {"tensor name": "model-00001-of-00002.safetensors"}}).
/// Every shard's header is read and checked on open; tensor data is streamed by <see cref="ReadInto"/>.
/// </summary>
public sealed class CheckpointWeights : IDisposable
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly Dictionary<string, SafeTensorsReader> _readerOf;   // tensor name -> its shard
    private readonly List<SafeTensorsReader> _readers;

    private CheckpointWeights(string source, Dictionary<string, SafeTensorsReader> readerOf, List<SafeTensorsReader> readers)
    {
        Source = source;
        _readerOf = readerOf;
        _readers = readers;
    }

    /// <summary>model.safetensors or model.safetensors.index.json: the file named in error messages.</summary>
    public string Source { get; }

    public IReadOnlyCollection<string> Names => _readerOf.Keys;

    /// <summary>The .safetensors files the weights are in (one, or every shard the index names), full paths.</summary>
    public IReadOnlyList<string> Files => _readers.Select(r => r.Path).ToList();

    public static CheckpointWeights Open(string folder)
    {
        var single = Path.Combine(folder, SingleFileName);
        if (File.Exists(single))
        {
            var reader = SafeTensorsReader.Open(single);
            return new CheckpointWeights(single, reader.Names.ToDictionary(n => n, _ => reader, StringComparer.Ordinal), [reader]);
        }
        var index = Path.Combine(folder, IndexFileName);
        if (!File.Exists(index))
            throw new CheckpointException(folder, $"has neither {SingleFileName} nor {IndexFileName}");
        return OpenSharded(folder, index);
    }

    private static CheckpointWeights OpenSharded(string folder, string index)
    {
        var weightMap = ReadWeightMap(index);
        var readers = new List<SafeTensorsReader>();
        try
        {
            var byShard = new Dictionary<string, SafeTensorsReader>(StringComparer.Ordinal);
            var readerOf = new Dictionary<string, SafeTensorsReader>(StringComparer.Ordinal);
            foreach (var (name, shard) in weightMap)
            {
                if (!byShard.TryGetValue(shard, out var reader))
                {
                    reader = SafeTensorsReader.Open(Path.Combine(folder, shard));
                    readers.Add(reader);
                    byShard[shard] = reader;
                }
                if (!reader.Contains(name))
                    throw new CheckpointException(index, $"weight_map puts {name} in {shard}, which has no such tensor");
                readerOf[name] = reader;
            }
            return new CheckpointWeights(index, readerOf, readers);
        }
        catch
        {
            foreach (var r in readers) r.Dispose();
            throw;
        }
    }

    /// <summary>weight_map of the index: tensor name -> shard file name (a plain file name in the same folder).</summary>
    private static List<(string Name, string Shard)> ReadWeightMap(string index)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(index)); }
        catch (JsonException e) { throw new CheckpointException(index, $"is not valid JSON ({e.Message.ReplaceLineEndings(" ")})", e); }
        catch (IOException e) { throw new CheckpointException(index, $"cannot be read ({e.Message.ReplaceLineEndings(" ")})", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new CheckpointException(index, "has no weight_map object");
            var result = new List<(string, string)>();
            foreach (var entry in map.EnumerateObject())
            {
                var shard = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : "";
                if (shard.Length == 0 || shard != Path.GetFileName(shard) || shard is "." or ".." || !shard.EndsWith(".safetensors", StringComparison.Ordinal))
                    throw new CheckpointException(index, $"weight_map entry {entry.Name} is {entry.Value.GetRawText()}, expected a .safetensors file name in the same folder");
                result.Add((entry.Name, shard));
            }
            if (result.Count == 0) throw new CheckpointException(index, "weight_map is empty");
            return result;
        }
    }

    public bool Contains(string name) => _readerOf.ContainsKey(name);

    /// <summary>The shape on disk.</summary>
    public long[] ShapeOf(string name) => _readerOf[name].ShapeOf(name);

    /// <summary>The file that holds <paramref name="name"/>.</summary>
    public string FileOf(string name) => _readerOf[name].Path;

    /// <summary>Streams tensor <paramref name="name"/> into <paramref name="destination"/> as float32.</summary>
    public void ReadInto(string name, Tensor destination) => _readerOf[name].ReadInto(name, destination);

    public void Dispose()
    {
        foreach (var r in _readers) r.Dispose();
    }
}
