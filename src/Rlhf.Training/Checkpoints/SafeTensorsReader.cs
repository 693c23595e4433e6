using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// One safetensors file opened for streaming: the header is read and checked up front (as
/// <see cref="SafeTensorsFile.Read(string)"/> does), the data of a tensor is read only when asked for and goes
/// straight into the destination tensor in chunks, converted from F32/F16/BF16 to float32. Loading a model this
/// way holds the model's parameters plus one chunk, never the whole file or a converted copy of it.
/// </summary>
public sealed class SafeTensorsReader : IDisposable
{
    private const int ChunkElements = 1 << 18;   // 1 MB of float32 per read

    private readonly FileStream _stream;
    private readonly Dictionary<string, (string DType, long[] Shape, long Begin)> _entries;
    private readonly long _dataStart;
    private Tensor? _chunk;     // [ChunkElements] float32: one conversion chunk, reused for every tensor

    private SafeTensorsReader(string path, FileStream stream, Dictionary<string, (string, long[], long)> entries, long dataStart)
    {
        Path = path;
        _stream = stream;
        _entries = entries;
        _dataStart = dataStart;
    }

    public string Path { get; }

    public IReadOnlyCollection<string> Names => _entries.Keys;

    /// <summary>Opens <paramref name="path"/> and reads its header; errors are <see cref="CheckpointException"/>s naming the file.</summary>
    public static SafeTensorsReader Open(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors reading needs a little-endian machine");
        return CheckpointFile.Read(path, stream =>
        {
            var header = SafeTensorsHeader.Read(stream, path);
            var byName = header.Entries.ToDictionary(e => e.Name, e => (e.DType, e.Shape, e.Begin), StringComparer.Ordinal);
            return new SafeTensorsReader(path, stream, byName, header.DataStart);
        }, keepOpen: true);
    }

    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>The shape on disk.</summary>
    public long[] ShapeOf(string name) => _entries[name].Shape;

    /// <summary>Copies tensor <paramref name="name"/> into <paramref name="destination"/> (same element count), as float32.</summary>
    public void ReadInto(string name, Tensor destination)
    {
        var (dtype, shape, begin) = _entries[name];
        var count = SafeTensor.ElementCountOf(shape);
        if (destination.numel() != count)
            throw new CheckpointException(Path, $"{name} has {count} values, the model's tensor {destination.numel()}");
        using var noGrad = no_grad();
        using var flat = destination.view(-1);                                   // [count]
        _chunk ??= empty(Math.Min(_entries.Values.Max(e => SafeTensor.ElementCountOf(e.Shape)), ChunkElements), ScalarType.Float32);
        _chunk.DetachFromDisposeScope();
        var chunkValues = MemoryMarshal.Cast<byte, float>(_chunk.bytes);         // the chunk's own memory
        try
        {
            _stream.Seek(_dataStart + begin, SeekOrigin.Begin);
            for (long done = 0; done < count;)
            {
                var n = (int)Math.Min(chunkValues.Length, count - done);
                SafeTensorsFile.ReadData(_stream, dtype, chunkValues[..n]);
                using var part = _chunk.narrow(0, 0, n);
                using var target = flat.narrow(0, done, n);
                target.copy_(part);
                done += n;
            }
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            throw new CheckpointException(Path, $"{name} cannot be read ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _chunk?.Dispose();
    }
}
