using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Models;

/// <summary>
/// bf16 compute (<see cref="ComputePrecision"/>) on the shared Llama-family fixtures and the tiny GPT-2: the per-token log-probs stay within
/// 2^-5 x max |logit| of float32's, and differ from them (the matmuls really ran in bf16); weights and gradients stay float32.
/// <para>The bound: bf16 keeps an 8-bit mantissa, so a rounding moves a value by at most 2^-9 of itself. A logit l comes
/// out of the bf16 LM head rounded (as torch.autocast's does) after its inputs were rounded and the hidden state carried
/// the layers' rounding: about four roundings, |Δl| ≲ 2^-7 |l|. A log-prob is l_y - logsumexp(l), so |Δ log-prob| ≤ 2 max |Δl|
/// ≲ 2^-6 max |l|; the test allows twice that. A wrong cast (float16's 5-bit exponent, or no cast) fails either side.</para>
/// </summary>
public class ComputePrecisionTests
{
    [Theory]
    [InlineData("llama-tiny")]
    [InlineData("llama3-rope-tiny")]
    [InlineData("qwen3-tiny")]
    public void Bf16_log_probs_stay_within_a_bf16_rounding_bound_of_float32(string fixture)
    {
        var (all, _) = LlamaFixtureCase.Read(fixture);
        var cases = all.Where(c => c.Padding == "left").OrderBy(c => c.Row).ToList();
        using var lm = (LlamaForCausalLM)ModelLoader.LoadLanguageModel(LlamaFixtureCase.Folder(fixture));
        AssertBf16WithinBound(lm, cases.Select(c => c.Ids).ToList());
    }

    [Fact]
    public void Gpt2_bf16_log_probs_stay_within_the_same_bound()
    {
        using var lm = (Gpt2LMHeadModel)ModelLoader.LoadLanguageModel(FixturePaths.Lm);
        AssertBf16WithinBound(lm, [[464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290], [15496, 11, 995, 0, 632, 318, 257, 922, 1110, 13], [40, 588]]);
    }

    /// <summary>Left-padded rows: bf16's per-token log-probs within 2^-5 max |logit| of float32's and not equal to them; float32 again is exact.</summary>
    private static void AssertBf16WithinBound(ICausalLanguageModel lm, IReadOnlyList<long[]> rows)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var batch = new PaddedBatch(rows, left: true, lm.PadTokenId);

        Tensor TokenLogProbs()
        {
            var logits = lm.forward(batch.Ids, batch.Mask, batch.Positions);                       // [B, T, V] float32
            Assert.Equal(ScalarType.Float32, logits.dtype);
            var next = batch.Ids.narrow(1, 1, batch.Ids.shape[1] - 1);                             // [B, T - 1]
            var logProbs = logits.narrow(1, 0, logits.shape[1] - 1).log_softmax(-1)
                .gather(-1, next.unsqueeze(-1)).squeeze(-1);                                        // [B, T - 1]
            var real = batch.Mask.narrow(1, 0, next.shape[1]) * batch.Mask.narrow(1, 1, next.shape[1]);   // [B, T - 1]: both tokens real
            return logProbs.masked_fill(real.eq(0), 0);                                              // pads: 0
        }

        var float32 = TokenLogProbs();
        var maxLogit = lm.forward(batch.Ids, batch.Mask, batch.Positions).abs().max().item<float>();
        lm.ComputeDtype = ScalarType.BFloat16;
        var bf16 = TokenLogProbs();
        lm.ComputeDtype = ScalarType.Float32;
        var again = TokenLogProbs();

        var maxDiff = (bf16 - float32).abs().max().item<float>();
        var bound = maxLogit / 32;                                                                   // 2^-5 max |logit|
        Assert.True(maxDiff > 1e-6 && maxDiff <= bound, $"max |Δ log-prob| {maxDiff}, bound {bound} (max |logit| {maxLogit})");
        Assert.Equal(0f, (again - float32).abs().max().item<float>());                               // back to the exact maths
        Assert.All(lm.Module.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void Bf16_training_step_gives_float32_gradients_to_the_float32_weights()
    {
        using var rm = (LlamaForSequenceClassification)ModelLoader.LoadRewardModel(LlamaFixtureCase.Folder("qwen2-reward-tiny"));
        rm.ComputeDtype = ScalarType.BFloat16;
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 5, 9, 14, 3, 7, 11, 2, 8 }, [2, 4]);                        // [2, 4]
        var rewards = rm.Rewards(ids);                                                             // [2]
        Assert.Equal(ScalarType.Float32, rewards.dtype);
        (rewards[0] - rewards[1]).backward();
        foreach (var (name, p) in rm.named_parameters())
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            if (name.Contains("q_proj.weight") || name == "score.weight")
            {
                Assert.NotNull(p.grad);
                Assert.Equal(ScalarType.Float32, p.grad!.dtype);
                Assert.True(p.grad.abs().sum().item<float>() > 0, $"{name} has a zero gradient");
            }
        }
    }

    [Fact]
    public void Only_float32_and_bf16_are_accepted()
    {
        Assert.Equal(ScalarType.BFloat16, ComputePrecision.Parse("bf16"));
        Assert.Equal(ScalarType.Float32, ComputePrecision.Parse("float32"));
        var e = Assert.Throws<ArgumentException>(() => ComputePrecision.Parse("fp16"));
        Assert.Contains("\"fp16\"", e.Message);
        Assert.Throws<ArgumentException>(() => new ComputePrecision { Dtype = ScalarType.Float16 });
    }
}
