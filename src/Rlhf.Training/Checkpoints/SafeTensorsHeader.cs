using System.Buffers.Binary;
using System.Text.Json;

namespace Rlhf.Training.Checkpoints;

/// <summary>One tensor's entry in a safetensors header: its dtype, on-disk shape and byte range in the data.</summary>
public sealed record SafeTensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long ElementCount => SafeTensor.ElementCountOf(Shape);
}

/// <summary>
/// The header of a safetensors file, read and checked completely before any tensor is allocated, as the reference
/// implementation (huggingface/safetensors) checks it: a sane header length; a JSON object; for each tensor a
/// supported dtype, a shape of non-negative sizes, and data_offsets [begin, end] with end - begin = elements × dtype
/// size; and the byte ranges, sorted, follow each other from 0 to the end of the file with no gap and no overlap.
/// So the tensors together are exactly as large as the file: 40 entries pointing at the same 10 MB are refused here,
/// not read 40 times.
/// </summary>
public sealed class SafeTensorsHeader
{
    /// <summary>The largest header accepted (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private SafeTensorsHeader(long dataStart, long dataLength, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<SafeTensorsEntry> entries)
    {
        DataStart = dataStart;
        DataLength = dataLength;
        Metadata = metadata;
        Entries = entries;
    }

    /// <summary>The file offset of the first data byte (8 + the header length).</summary>
    public long DataStart { get; }

    /// <summary>Bytes after the header: the sum of every tensor's bytes.</summary>
    public long DataLength { get; }

    /// <summary>The "__metadata__" entries (string to string).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in the order of their data in the file.</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    /// <summary>Bytes one element of <paramref name="dtype"/> takes, or null for a dtype the reader does not support.</summary>
    public static int? ElementSize(string dtype) => dtype switch
    {
        "F32" => 4,
        "F16" or "BF16" => 2,
        _ => null,
    };

    /// <summary>Reads and checks the header of the file at <paramref name="path"/>; reads nothing else.</summary>
    public static SafeTensorsHeader Read(string path)
        => CheckpointFile.Read(path, stream => Read(stream, path));

    /// <summary>
    /// Reads and checks the header at the start of <paramref name="stream"/> (the whole file), then puts the stream
    /// back where it was. Every problem is a <see cref="CheckpointException"/> naming <paramref name="path"/> and the key.
    /// </summary>
    public static SafeTensorsHeader Read(Stream stream, string path)
    {
        var position = stream.Position;
        try
        {
            stream.Position = 0;
            return Parse(stream, path);
        }
        finally
        {
            stream.Position = position;
        }
    }

    private static SafeTensorsHeader Parse(Stream stream, string path)
    {
        var fileLength = stream.Length;
        if (fileLength < 8) throw new CheckpointException(path, "is not a safetensors file (shorter than 8 bytes)");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength < 2 || headerLength > (ulong)MaxHeaderBytes || (long)headerLength > fileLength - 8)
            throw new CheckpointException(path, $"is not a safetensors file (header length {headerLength} for a file of {fileLength} bytes)");

        var headerBytes = new byte[(int)headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        JsonDocument document;
        try { document = JsonDocument.Parse(headerBytes); }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"safetensors header is not valid JSON ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException(path, "safetensors header is not a JSON object");

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<SafeTensorsEntry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw new CheckpointException(path, $"{property.Name} appears twice in the safetensors header");
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in property.Value.EnumerateObject())
                            metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                entries.Add(Entry(property, path, dataLength));
            }
            var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();   // stable: header order among equals
            CheckCoverage(sorted, dataLength, path);
            return new SafeTensorsHeader(dataStart, dataLength, metadata, sorted);
        }
    }

    private static SafeTensorsEntry Entry(JsonProperty property, string path, long dataLength)
    {
        var name = property.Name;
        var v = property.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw new CheckpointException(path, $"{name} has no dtype/shape/data_offsets entry");
        if (!v.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new CheckpointException(path, $"{name} has no dtype");
        var dtype = dtypeElement.GetString()!;
        var elementSize = ElementSize(dtype)
            ?? throw new CheckpointException(path, $"{name} has dtype {dtype}; only F32, F16 and BF16 are supported");
        if (!v.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new CheckpointException(path, $"{name} has no shape");
        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var size) || size < 0)
                throw new CheckpointException(path, $"{name} has an invalid shape {shapeElement.GetRawText()}");
            shape[i++] = size;
        }
        if (!v.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end))
            throw new CheckpointException(path, $"{name} has no valid data_offsets");

        long count, bytes;
        try
        {
            count = SafeTensor.ElementCountOf(shape);
            bytes = checked(count * elementSize);
        }
        catch (OverflowException) { throw new CheckpointException(path, $"{name} has a shape too large: {SafeTensor.FormatShape(shape)}"); }
        if (count > Array.MaxLength)
            throw new CheckpointException(path, $"{name} has {count} elements, more than one array can hold");
        if (begin < 0 || end < begin || end > dataLength)
            throw new CheckpointException(path, $"{name} has data_offsets [{begin}, {end}] outside the data ({dataLength} bytes)");
        if (end - begin != bytes)
            throw new CheckpointException(path, $"{name} has data_offsets [{begin}, {end}] ({end - begin} bytes) but shape {SafeTensor.FormatShape(shape)} of {dtype} needs {bytes} bytes");
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    /// <summary>The sorted byte ranges must tile the data exactly: each begins where the one before ends, the last ends at the end.</summary>
    private static void CheckCoverage(IReadOnlyList<SafeTensorsEntry> sorted, long dataLength, string path)
    {
        long expected = 0;
        SafeTensorsEntry? previous = null;
        foreach (var e in sorted)
        {
            if (e.Begin < expected)
                throw new CheckpointException(path, $"{e.Name} has data_offsets [{e.Begin}, {e.End}] overlapping {previous!.Name} [{previous.Begin}, {previous.End}]");
            if (e.Begin > expected)
                throw new CheckpointException(path, $"{e.Name} has data_offsets [{e.Begin}, {e.End}], leaving bytes {expected}..{e.Begin} of the data unused");
            expected = e.End;
            previous = e;
        }
        if (expected != dataLength)
            throw new CheckpointException(path, $"the tensors cover {expected} bytes of the data but the file holds {dataLength}");
    }
}
