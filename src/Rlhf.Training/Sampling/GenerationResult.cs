using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Sampling;

/// <summary>
/// Output of <see cref="Sampler.Generate"/>. The tensors are owned by this object (outside any dispose
/// scope); dispose it, or take tensors out and dispose them yourself.
/// </summary>
public sealed class GenerationResult : IDisposable
{
    public GenerationResult(Tensor promptIds, Tensor promptMask, Tensor tokens, Tensor logProbs, Tensor mask)
    {
        PromptIds = promptIds;
        PromptMask = promptMask;
        Tokens = tokens;
        LogProbs = logProbs;
        Mask = mask;
        using var lengths = mask.sum(1).cpu();
        Lengths = lengths.data<long>().ToArray().Select(x => (int)x).ToArray();
    }

    /// <summary>Left-padded prompts, int64 [B, P].</summary>
    public Tensor PromptIds { get; }

    /// <summary>1 for real prompt tokens, 0 for left padding, int64 [B, P].</summary>
    public Tensor PromptMask { get; }

    /// <summary>Generated ids, int64 [B, N]; after a row's EOS the row holds pad ids.</summary>
    public Tensor Tokens { get; }

    /// <summary>log_softmax(logits / temperature) at the generated token, float32 [B, N]; 0 where Mask is 0.</summary>
    public Tensor LogProbs { get; }

    /// <summary>1 for generated tokens up to and including the first EOS, 0 after, int64 [B, N].</summary>
    public Tensor Mask { get; }

    /// <summary>Number of generated tokens of each row (the EOS counts).</summary>
    public int[] Lengths { get; }

    /// <summary>The generated tokens of each row, up to its length.</summary>
    public int[][] TokenRows()
    {
        var n = Tokens.shape[1];
        using var cpuTokens = Tokens.to(CPU, copy: true);
        var all = cpuTokens.data<long>().ToArray();
        return Lengths.Select((len, b) => all.Skip((int)(b * n)).Take(len).Select(x => (int)x).ToArray()).ToArray();
    }

    /// <summary>Prompt and generated tokens side by side: int64 [B, P + N] and its mask.</summary>
    public (Tensor Ids, Tensor Mask) Sequences()
    {
        using var scope = NewDisposeScope();
        var ids = cat([PromptIds, Tokens], 1);
        var mask = cat([PromptMask, Mask], 1);
        return scope.MoveToOuter(ids, mask);
    }

    public void Dispose()
    {
        PromptIds.Dispose();
        PromptMask.Dispose();
        Tokens.Dispose();
        LogProbs.Dispose();
        Mask.Dispose();
    }
}
