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
    private const long MaxHeaderBytes = SafeTensorsHeader.MaxHeaderBytes;

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
        return CheckpointFile.Read(path, stream => Read(stream, path));
    }

    private static SafeTensorsFile Read(FileStream stream, string path)
    {
        var header = SafeTensorsHeader.Read(stream, path);   // checked (offsets in bounds, tiling the data) before any tensor is allocated
        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var e in header.Entries)                     // in the order of their data
        {
            stream.Seek(header.DataStart + e.Begin, SeekOrigin.Begin);
            tensors[e.Name] = new SafeTensor(e.Name, e.DType, e.Shape, ReadData(stream, e.DType, SafeTensor.ElementCountOf(e.Shape)));
        }
        return new SafeTensorsFile(path, header.Metadata, tensors);
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
