using Rlhf.Training.Models;
using Rlhf.Training.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Bench.Training;

/// <summary>The randomly initialised GPT-2 the benchmarks run (GPT-2 init from a seeded generator, eval mode).</summary>
public static class BenchmarkModel
{
    public static Gpt2LMHeadModel Create(int nLayer, int nEmbd, int nHead, int nPositions, int vocabSize, int seed)
    {
        var config = new Gpt2Config
        {
            VocabSize = vocabSize, NPositions = nPositions, NEmbd = nEmbd, NLayer = nLayer, NHead = nHead,
        };
        var model = new Gpt2LMHeadModel(config);
        using var generator = new Generator((ulong)seed);
        Gpt2Init.Apply(model, generator);
        model.eval();
        return model;
    }

    /// <summary>Parameters of the model without the position embeddings (wte stays: it is also the LM head), as nanoGPT counts.</summary>
    public static long NonEmbeddingParameters(int nLayer, int nEmbd, int vocabSize, int? nInner = null)
        => BlockParameters(nLayer, nEmbd, nInner) + (long)vocabSize * nEmbd;   // blocks + ln_f + wte (tied LM head)

    /// <summary>Parameters of the blocks and ln_f: what every GPT-2 head (LM or score) sits on.</summary>
    public static long BlockParameters(int nLayer, int nEmbd, int? nInner = null)
    {
        long d = nEmbd, inner = nInner ?? 4 * nEmbd;
        var perLayer = 2 * (2 * d)                      // ln_1, ln_2
                       + d * 3 * d + 3 * d              // c_attn
                       + d * d + d                      // attn.c_proj
                       + d * inner + inner              // c_fc
                       + inner * d + d;                 // mlp.c_proj
        return nLayer * perLayer + 2 * d;               // blocks + ln_f
    }

    /// <summary>
    /// Forward FLOPs per token, nanoGPT's estimate_mfu divided by 3 (forward only):
    /// 2 N + 4 n_layer n_embd T, where N = <see cref="NonEmbeddingParameters"/> (so 2 N holds 2 n_embd V for
    /// the LM head) and 4 n_layer n_embd T counts the attention scores and the weighted sum of values over a
    /// full T x T attention (causal masking not subtracted, as nanoGPT).
    /// </summary>
    public static double ForwardFlopsPerToken(int nLayer, int nEmbd, int vocabSize, int seqLen)
        => 2.0 * NonEmbeddingParameters(nLayer, nEmbd, vocabSize) + 4.0 * nLayer * nEmbd * (double)seqLen;

    /// <summary>Random token ids in 0..vocab-2 (no EOS), int64 [B, T].</summary>
    public static Tensor RandomIds(int batch, int length, int vocabSize, int seed)
    {
        var random = new Random(seed);
        var ids = new long[batch * length];
        for (var i = 0; i < ids.Length; i++) ids[i] = random.Next(vocabSize - 1);
        return tensor(ids, [batch, length]);
    }

    /// <summary>Null when a benchmark model of this shape can be built, else a one-line reason naming the option.</summary>
    public static string? ShapeProblem(int nLayer, int nHead, int nEmbd, int vocabSize)
    {
        if (nLayer < 1) return $"n-layer must be at least 1 (got {nLayer})";
        if (nHead < 1) return $"n-head must be at least 1 (got {nHead})";
        if (nEmbd < 1 || nEmbd % nHead != 0) return $"n-embd ({nEmbd}) must be positive and divisible by n-head ({nHead})";
        if (vocabSize < 2) return $"vocab-size must be at least 2 (got {vocabSize})";
        return null;
    }
}
