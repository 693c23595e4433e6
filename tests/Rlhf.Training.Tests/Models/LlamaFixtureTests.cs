using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Models;

/// <summary>
/// The shared Llama-family fixtures (llama, llama3 rope scaling + GQA 4:1 + untied bf16, qwen3 q/k norm, qwen2 reward
/// with q/k/v biases) loaded through <see cref="ModelLoader"/> reproduce the independent PyTorch references within
/// their tolerance, for right- and left-padded batches.
/// </summary>
public class LlamaFixtureTests
{
    [Theory]
    [InlineData("llama-tiny", "right")]
    [InlineData("llama-tiny", "left")]
    [InlineData("llama3-rope-tiny", "right")]
    [InlineData("llama3-rope-tiny", "left")]
    [InlineData("qwen3-tiny", "right")]
    [InlineData("qwen3-tiny", "left")]
    public void Causal_lm_reproduces_the_reference(string fixture, string padding)
    {
        var (all, tolerance) = LlamaFixtureCase.Read(fixture);
        var cases = all.Where(c => c.Padding == padding).OrderBy(c => c.Row).ToList();
        using var lm = ModelLoader.LoadLanguageModel(LlamaFixtureCase.Folder(fixture));
        Assert.IsType<LlamaForCausalLM>(lm);

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var batch = new PaddedBatch(cases.Select(c => c.Ids).ToList(), left: padding == "left", lm.PadTokenId);
        // Right padding runs with the default positions 0..T-1; left padding needs cumsum(mask) - 1.
        var logits = lm.forward(batch.Ids, batch.Mask, padding == "left" ? batch.Positions : null);   // [B, T, V]
        var logProbs = logits.log_softmax(-1);                                                          // [B, T, V]

        foreach (var c in cases)
        {
            var start = batch.Starts[c.Row];
            var n = c.Ids.Length;
            var sum = 0.0;
            for (var t = 0; t < n - 1; t++) sum += logProbs[c.Row, start + t, c.Ids[t + 1]].item<float>();
            Assert.InRange(sum, c.Number("sequence_logprob") - tolerance, c.Number("sequence_logprob") + tolerance);

            var argmax = logits[c.Row].narrow(0, start, n).argmax(-1).data<long>().ToArray();
            Assert.Equal(c.Longs("argmax"), argmax);

            var first5 = logits[c.Row, start + n - 1].narrow(0, 0, 5).data<float>().ToArray();
            var expected = c.Numbers("logits_first5_last");
            for (var v = 0; v < 5; v++) Assert.InRange(first5[v], expected[v] - tolerance, expected[v] + tolerance);
        }
    }

    [Theory]
    [InlineData("right")]
    [InlineData("left")]
    public void Qwen2_reward_model_reproduces_the_reference(string padding)
    {
        var (all, tolerance) = LlamaFixtureCase.Read("qwen2-reward-tiny");
        var cases = all.Where(c => c.Padding == padding).OrderBy(c => c.Row).ToList();
        using var rm = ModelLoader.LoadRewardModel(LlamaFixtureCase.Folder("qwen2-reward-tiny"));
        Assert.IsType<LlamaForSequenceClassification>(rm);
        Assert.Equal(0, rm.PadTokenId);

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var batch = new PaddedBatch(cases.Select(c => c.Ids).ToList(), left: padding == "left", rm.PadTokenId);
        var withMask = rm.Rewards(batch.Ids, batch.Mask, batch.Positions).data<float>().ToArray();   // [B]
        // Right padding needs no mask at all: causal attention never sees the trailing pads, and the reward is read
        // at the last token that is not pad id 0, as HF does.
        var byPadId = padding == "right"
            ? rm.Rewards(batch.Ids).data<float>().ToArray()
            : withMask;
        foreach (var c in cases)
        {
            Assert.InRange(withMask[c.Row], c.Number("reward") - tolerance, c.Number("reward") + tolerance);
            Assert.InRange(byPadId[c.Row], c.Number("reward") - tolerance, c.Number("reward") + tolerance);
        }
    }
}
