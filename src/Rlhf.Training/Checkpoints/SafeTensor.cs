namespace Rlhf.Training.Checkpoints;

/// <summary>
/// One tensor of a safetensors file, as float32 in row-major order. <paramref name="DType"/> is the
/// dtype it had on disk (F32, F16 or BF16); <paramref name="Shape"/> is the shape on disk.
/// </summary>
public sealed record SafeTensor(string Name, string DType, long[] Shape, float[] Data)
{
    public long ElementCount => ElementCountOf(Shape);

    public static long ElementCountOf(IReadOnlyList<long> shape)
    {
        long n = 1;
        foreach (var d in shape) n = checked(n * d);
        return n;
    }

    /// <summary>"[16, 48]"</summary>
    public static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
