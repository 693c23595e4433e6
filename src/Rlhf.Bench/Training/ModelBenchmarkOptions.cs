using System.Text.Json.Nodes;

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

    /// <summary>
    /// A model benchmark's JSON result: first benchmark, threads, the matmul reference (<paramref name="matmulGflops"/>
    /// as the caller rounds it, then every size) and the model shape, in this order; then every field of
    /// <paramref name="details"/> (moved, in its order).
    /// </summary>
    public JsonObject Result(string benchmark, int threads, double matmulGflops, MatmulBenchmark.Result matmul, JsonObject details)
    {
        var result = new JsonObject
        {
            ["benchmark"] = benchmark,
            ["threads"] = threads,
            ["matmul_gflops"] = matmulGflops,
            ["matmul"] = matmul.ToJson(),
            ["n_layer"] = NLayer,
            ["n_embd"] = NEmbd,
            ["n_head"] = NHead,
            ["vocab_size"] = VocabSize,
            ["seq_len"] = SeqLen,
        };
        foreach (var key in details.Select(field => field.Key).ToList())
        {
            var value = details[key];
            details.Remove(key);
            result[key] = value;
        }
        return result;
    }
}
