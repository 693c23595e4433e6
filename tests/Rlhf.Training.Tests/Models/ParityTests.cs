using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Models;

/// <summary>Every number of each fixture's reference.json, reproduced within its tolerance.</summary>
public class ParityTests
{
    public ParityTests() => TorchThreads.EnsureConfigured();

    private static (Tensor Ids, Tensor Mask) Inputs(long[][] rows, int[] lengths)
    {
        var B = rows.Length;
        var T = rows[0].Length;
        var mask = new long[B * T];
        for (var b = 0; b < B; b++)
            for (var t = 0; t < lengths[b]; t++) mask[b * T + t] = 1;
        return (tensor(rows.SelectMany(r => r).ToArray(), [B, T]), tensor(mask, [B, T]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Lm_logits_argmax_and_sequence_logprob_match_reference(bool withMask)
    {
        var reference = FixturePaths.Reference(FixturePaths.Lm);
        var tolerance = reference.GetProperty("tolerance").GetDouble();
        var rows = FixturePaths.InputIds(reference);
        var lengths = FixturePaths.Lengths(reference);
        var expectedLogits = reference.GetProperty("logits_first5_each_position");
        var expectedArgmax = reference.GetProperty("argmax_each_position");
        var expectedLogprob = reference.GetProperty("sequence_logprob");

        using var model = Gpt2Checkpoint.LoadLanguageModel(FixturePaths.Lm);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (ids, mask) = Inputs(rows, lengths);
        var logits = model.forward(ids, withMask ? mask : null);           // [B, T, V]
        Assert.Equal(new long[] { 2, 8, 50257 }, logits.shape);
        var argmax = logits.argmax(-1);                                    // [B, T]
        var tokenLogp = TokenLogProbs.NextTokenLogProbs(logits, ids);     // [B, T-1]

        var checkedNumbers = 0;
        for (var b = 0; b < rows.Length; b++)
        {
            for (var t = 0; t < lengths[b]; t++)
            {
                var expectedRow = expectedLogits[b][t];
                for (var v = 0; v < 5; v++)
                {
                    var actual = logits[b, t, v].item<float>();
                    Assert.True(Math.Abs(actual - expectedRow[v].GetDouble()) <= tolerance,
                        $"logits[{b},{t},{v}] = {actual}, expected {expectedRow[v].GetDouble()}");
                    checkedNumbers++;
                }
                Assert.Equal(expectedArgmax[b][t].GetInt64(), argmax[b, t].item<long>());
                checkedNumbers++;
            }

            var sum = 0.0;
            for (var t = 0; t < lengths[b] - 1; t++) sum += tokenLogp[b, t].item<float>();
            Assert.True(Math.Abs(sum - expectedLogprob[b].GetDouble()) <= tolerance,
                $"sequence_logprob[{b}] = {sum}, expected {expectedLogprob[b].GetDouble()}");
            checkedNumbers++;
        }
        Assert.Equal(13 * 5 + 13 + 2, checkedNumbers);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reward_at_last_real_token_matches_reference(bool withMask)
    {
        var reference = FixturePaths.Reference(FixturePaths.Reward);
        var tolerance = reference.GetProperty("tolerance").GetDouble();
        var rows = FixturePaths.InputIds(reference);
        var lengths = FixturePaths.Lengths(reference);
        var expected = reference.GetProperty("reward_last_real_token").EnumerateArray().Select(x => x.GetDouble()).ToArray();

        using var model = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (ids, mask) = Inputs(rows, lengths);
        var rewards = model.Rewards(ids, withMask ? mask : null);   // [B]
        Assert.Equal(new long[] { 2 }, rewards.shape);
        for (var b = 0; b < expected.Length; b++)
        {
            var actual = rewards[b].item<float>();
            Assert.True(Math.Abs(actual - expected[b]) <= tolerance, $"reward[{b}] = {actual}, expected {expected[b]}");
        }

        // The per-position scores (value-head API) agree with the rewards at position length-1.
        var scores = model.forward(ids, withMask ? mask : null);    // [B, T]
        var hidden = model.HiddenStates(ids, withMask ? mask : null);
        Assert.Equal(new long[] { 2, 8 }, scores.shape);
        Assert.Equal(new long[] { 2, 8, 16 }, hidden.shape);
        var fromHidden = model.ScoreHidden(hidden);
        for (var b = 0; b < expected.Length; b++)
        {
            Assert.Equal(rewards[b].item<float>(), scores[b, lengths[b] - 1].item<float>(), 6);
            Assert.Equal(scores[b, lengths[b] - 1].item<float>(), fromHidden[b, lengths[b] - 1].item<float>(), 6);
        }
    }

    [Fact]
    public void Left_padding_with_mask_and_position_ids_gives_the_unpadded_logits()
    {
        using var model = Gpt2Checkpoint.LoadLanguageModel(FixturePaths.Lm);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long[] prompt = [40, 588, 340, 845, 881];
        var alone = model.forward(tensor(prompt, [1, 5]));                        // [1, 5, V]

        var ids = tensor(new long[] { 50256, 50256, 50256, 40, 588, 340, 845, 881 }, [1, 8]);
        var mask = tensor(new long[] { 0, 0, 0, 1, 1, 1, 1, 1 }, [1, 8]);
        var positions = Gpt2Model.PositionIdsFromMask(mask);
        Assert.Equal(new long[] { 0, 0, 0, 0, 1, 2, 3, 4 }, positions.data<long>().ToArray());
        var padded = model.forward(ids, mask, positions);                          // [1, 8, V]
        Assert.False(padded.isnan().any().item<bool>());
        var diff = (padded[TensorIndex.Colon, TensorIndex.Slice(3, 8)] - alone).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"max difference {diff}");

        // And the reward model finds the last real token of a left-padded row from the mask.
        using var reward = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        var r1 = reward.Rewards(tensor(prompt, [1, 5])).item<float>();
        var r2 = reward.Rewards(ids, mask, positions).item<float>();
        Assert.True(Math.Abs(r1 - r2) < 1e-4, $"{r1} vs {r2}");
    }

    [Fact]
    public void Kv_cache_gives_the_same_logits_as_a_full_forward()
    {
        using var model = Gpt2Checkpoint.LoadLanguageModel(FixturePaths.Lm);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 15496, 995, 11, 428, 318, 257, 1332, 13 }, [1, 8]);
        var full = model.forward(ids);                                               // [1, 8, V]

        using var cache = model.NewCache();
        var first = model.forward(ids[TensorIndex.Colon, TensorIndex.Slice(0, 5)], cache: cache);   // [1, 5, V]
        Assert.Equal(5, cache.Length);
        var parts = new List<Tensor> { first };
        for (var t = 5; t < 8; t++)
            parts.Add(model.forward(ids[TensorIndex.Colon, TensorIndex.Slice(t, t + 1)], cache: cache));
        var incremental = cat(parts, 1);
        var diff = (incremental - full).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"max difference {diff}");
    }
}
