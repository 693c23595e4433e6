namespace Rlhf.Training.Sampling;

/// <summary>
/// Settings of <see cref="Sampler.Generate"/>. Temperature 0 is greedy decoding. TopK 0 and TopP 1
/// switch those filters off. Log-probs are always those of logits / temperature (temperature 1 when
/// greedy), before top-k/top-p filtering, as PPO needs.
/// </summary>
public sealed record GenerationConfig
{
    public int MaxNewTokens { get; init; } = 64;
    public double Temperature { get; init; } = 1.0;
    public int TopK { get; init; }
    public double TopP { get; init; } = 1.0;
    public int EosTokenId { get; init; } = 50256;

    /// <summary>Every id that ends a row (a model's eos list, e.g. Qwen's &lt;|im_end|&gt; and &lt;|endoftext|&gt;); null = [EosTokenId].</summary>
    public IReadOnlyList<int>? EosTokenIds { get; init; }

    /// <summary>The ids that end a row: <see cref="EosTokenIds"/>, else [<see cref="EosTokenId"/>].</summary>
    public IReadOnlyList<int> StopIds => EosTokenIds is { Count: > 0 } ids ? ids : [EosTokenId];
    public int PadTokenId { get; init; } = 50256;

    /// <summary>Stop a row at its first EOS (the EOS is kept; afterwards the row emits pad with mask 0).</summary>
    public bool StopAtEos { get; init; } = true;

    /// <summary>Use the KV cache (false recomputes the whole sequence each step; for tests).</summary>
    public bool UseKvCache { get; init; } = true;

    public void Validate()
    {
        if (MaxNewTokens < 1) throw new ArgumentException($"max_new_tokens must be at least 1 (got {MaxNewTokens})");
        if (!(Temperature >= 0) || double.IsInfinity(Temperature)) throw new ArgumentException($"temperature must be >= 0 (got {Temperature})");
        if (TopK < 0) throw new ArgumentException($"top_k must be >= 0 (got {TopK})");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"top_p must be in (0, 1] (got {TopP})");
    }
}
