using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// Reader and writer for the safetensors format: an 8-byte little-endian header length N, N bytes of
/// JSON header ({"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
/// offsets relative to the first byte after the header), then the raw little-endian data.
/// Reads F32, F16 and BF16 (converted to float32); writes F32 with keys in ordinal order, the header
/// padded with spaces so the data starts on an 8-byte boundary, and "__metadata__" {"format": "pt"}.
/// </summary>
public sealed class SafeTensorsFile
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private SafeTensorsFile(string path, IReadOnlyDictionary<string, string> metadata,
        IReadOnlyDictionary<string, SafeTensor> tensors)
    {
        Path = path;
        Metadata = metadata;
        Tensors = tensors;
    }

    public string Path { get; }

    /// <summary>The "__metadata__" entries (string to string).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors by name, in the order of their data in the file.</summary>
    public IReadOnlyDictionary<string, SafeTensor> Tensors { get; }

    /// <summary>Reads the whole file. Errors are <see cref="CheckpointException"/>s naming <paramref name="path"/> and the key.</summary>
    public static SafeTensorsFile Read(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors reading needs a little-endian machine");
        if (!File.Exists(path)) throw new CheckpointException(path, "file not found");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return Read(stream, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, $"cannot be read ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    private static SafeTensorsFile Read(FileStream stream, string path)
    {
        var (metadata, entries, dataStart) = ReadHeader(stream, path);
        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var e in entries.OrderBy(e => e.Begin))
        {
            stream.Seek(dataStart + e.Begin, SeekOrigin.Begin);
            tensors[e.Name] = new SafeTensor(e.Name, e.DType, e.Shape, ReadData(stream, e.DType, SafeTensor.ElementCountOf(e.Shape)));
        }
        return new SafeTensorsFile(path, metadata, tensors);
    }

    /// <summary>
    /// Reads and checks the header only (for <see cref="SafeTensorsReader"/>, which streams the data tensor by tensor):
    /// the metadata, each tensor's dtype/shape/offsets, and where the data starts in the file.
    /// </summary>
    internal static (Dictionary<string, string> Metadata, List<(string Name, string DType, long[] Shape, long Begin, long End)> Entries, long DataStart)
        ReadHeader(FileStream stream, string path)
    {
        SafeTensorsHeader.Read(stream, path);   // offsets in bounds, non-overlapping, covering the data: checked before any tensor is allocated
        var fileLength = stream.Length;
        Span<byte> lengthBytes = stackalloc byte[8];
        if (fileLength < 8) throw new CheckpointException(path, "is not a safetensors file (shorter than 8 bytes)");
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength < 2 || headerLength > (ulong)MaxHeaderBytes || (long)headerLength > fileLength - 8)
            throw new CheckpointException(path, $"is not a safetensors file (header length {headerLength} for a file of {fileLength} bytes)");

        var headerBytes = new byte[(int)headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(headerBytes); }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"safetensors header is not valid JSON ({e.Message.ReplaceLineEndings(" ")})", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException(path, "safetensors header is not a JSON object");

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<(string Name, string DType, long[] Shape, long Begin, long End)>();
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in property.Value.EnumerateObject())
                            metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                entries.Add(ParseEntry(property, path, dataLength));
            }

            return (metadata, entries, dataStart);
        }
    }

    private static (string, string, long[], long, long) ParseEntry(JsonProperty property, string path, long dataLength)
    {
        var name = property.Name;
        var v = property.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw new CheckpointException(path, $"{name} has no dtype/shape/data_offsets entry");
        if (!v.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw new CheckpointException(path, $"{name} has no dtype");
        var dtype = dtypeEl.GetString()!;
        var elementSize = dtype switch
        {
            "F32" => 4,
            "F16" or "BF16" => 2,
            _ => throw new CheckpointException(path, $"{name} has dtype {dtype}; only F32, F16 and BF16 are supported"),
        };
        if (!v.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw new CheckpointException(path, $"{name} has no shape");
        var shape = new long[shapeEl.GetArrayLength()];
        var i = 0;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var dim) || dim < 0)
                throw new CheckpointException(path, $"{name} has an invalid shape {shapeEl.GetRawText()}");
            shape[i++] = dim;
        }
        if (!v.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2
            || !offEl[0].TryGetInt64(out var begin) || !offEl[1].TryGetInt64(out var end))
            throw new CheckpointException(path, $"{name} has no valid data_offsets");

        long count;
        try { count = SafeTensor.ElementCountOf(shape); }
        catch (OverflowException) { throw new CheckpointException(path, $"{name} has a shape too large: {SafeTensor.FormatShape(shape)}"); }
        if (count > Array.MaxLength)
            throw new CheckpointException(path, $"{name} has {count} elements, more than one array can hold");
        if (begin < 0 || end < begin || end > dataLength)
            throw new CheckpointException(path, $"{name} has data_offsets [{begin}, {end}] outside the data ({dataLength} bytes)");
        if (end - begin != count * elementSize)
            throw new CheckpointException(path, $"{name} has data_offsets [{begin}, {end}] ({end - begin} bytes) but shape {SafeTensor.FormatShape(shape)} of {dtype} needs {count * elementSize} bytes");
        return (name, dtype, shape, begin, end);
    }

    private static float[] ReadData(Stream stream, string dtype, long count)
    {
        var data = new float[count];
        ReadData(stream, dtype, data);
        return data;
    }

    /// <summary>Reads destination.Length values of <paramref name="dtype"/> at the stream's position, widened to float32 in place.</summary>
    internal static void ReadData(Stream stream, string dtype, Span<float> destination)
    {
        var count = destination.Length;
        if (dtype == "F32")
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(destination));
            return;
        }

        // 16-bit types: read in chunks and widen.
        var buffer = ArrayPool<ushort>.Shared.Rent(Math.Min(count, 1 << 16));
        var done = 0;
        while (done < count)
        {
            var n = Math.Min(buffer.Length, count - done);
            var chunk = buffer.AsSpan(0, n);
            stream.ReadExactly(MemoryMarshal.AsBytes(chunk));
            var target = destination.Slice(done, n);
            if (dtype == "F16")
                for (var j = 0; j < n; j++) target[j] = (float)BitConverter.UInt16BitsToHalf(chunk[j]);
            else // BF16: the upper half of a float32
                for (var j = 0; j < n; j++) target[j] = BitConverter.Int32BitsToSingle(chunk[j] << 16);
            done += n;
        }
        ArrayPool<ushort>.Shared.Return(buffer);
    }

    /// <summary>
    /// Writes the tensors as F32 (the <see cref="SafeTensor.DType"/> of each is ignored), keys in ordinal
    /// order, data in the same order, "__metadata__" = <paramref name="metadata"/> or {"format": "pt"}.
    /// </summary>
    public static void Write(string path, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors writing needs a little-endian machine");
        var ordered = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in ordered)
        {
            if (t.Name == "__metadata__" || !names.Add(t.Name))
                throw new ArgumentException($"duplicate or reserved tensor name '{t.Name}'", nameof(tensors));
            if (t.Data.LongLength != t.ElementCount)
                throw new ArgumentException($"{t.Name}: {t.Data.LongLength} values for shape {SafeTensor.FormatShape(t.Shape)}", nameof(tensors));
        }

        using var headerStream = new MemoryStream();
        using (var json = new Utf8JsonWriter(headerStream))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in (metadata ?? new Dictionary<string, string> { ["format"] = "pt" }).OrderBy(kv => kv.Key, StringComparer.Ordinal))
                json.WriteString(key, value);
            json.WriteEndObject();
            long offset = 0;
            foreach (var t in ordered)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (var d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += t.Data.LongLength * 4;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }

        // Pad the header with spaces so the data starts on an 8-byte boundary.
        var header = headerStream.ToArray();
        var padded = (header.Length + 7) / 8 * 8;
        var headerBytes = new byte[padded];
        header.CopyTo(headerBytes, 0);
        for (var i = header.Length; i < padded; i++) headerBytes[i] = (byte)' ';

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)headerBytes.Length);
        file.Write(lengthBytes);
        file.Write(headerBytes);
        foreach (var t in ordered) file.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
    }

    /// <summary>The header text of a file (for inspection and tests).</summary>
    public static string ReadHeaderJson(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var n = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (n > (ulong)MaxHeaderBytes || (long)n > stream.Length - 8) throw new CheckpointException(path, "is not a safetensors file");
        var bytes = new byte[(int)n];
        stream.ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes).TrimEnd(' ');
    }
}
