namespace Rlhf.Bench.Training;

/// <summary>
/// What the forward and reward benchmarks share: the shape of the randomly initialised GPT-2 they time, the timing
/// repeats, and the matmul reference their MFU is measured against.
/// </summary>
public abstract record ModelBenchmarkOptions
{
    public int NLayer { get; init; } = 4;
    public int NEmbd { get; init; } = 256;
    public int NHead { get; init; } = 4;
    public int VocabSize { get; init; } = 50257;
    public int SeqLen { get; init; } = 128;
    public int Warmup { get; init; } = 2;
    public int Repeats { get; init; } = 7;
    public IReadOnlyList<int> MatmulSizes { get; init; } = [1024, 2048];
    public int MatmulRepeats { get; init; } = 5;
    public int Seed { get; init; }

    /// <summary>Null when the shared settings are usable, else a one-line reason naming the option.</summary>
    protected string? SharedProblem()
    {
        if (BenchmarkModel.ShapeProblem(NLayer, NHead, NEmbd, VocabSize) is string shape) return shape;
        if (SeqLen is < 1 or > 4096) return $"seq-len must be between 1 and 4096 (got {SeqLen})";
        if (Warmup < 0) return $"warmup must be at least 0 (got {Warmup})";
        if (Repeats < 1) return $"repeats must be at least 1 (got {Repeats})";
        return MatmulBenchmark.Problem(MatmulSizes, MatmulRepeats);
    }
}
