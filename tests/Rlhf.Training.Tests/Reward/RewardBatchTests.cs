using Rlhf.Training.Checkpoints;
using Rlhf.Training.Reward;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Reward;

/// <summary>The trainer's batched reward path (right padding, causal attention, last real token from the mask).</summary>
public class RewardBatchTests
{
    public RewardBatchTests() => TorchThreads.EnsureConfigured();

    [Fact]
    public void Batched_rewards_match_the_fixture_reference()
    {
        var reference = FixturePaths.Reference(FixturePaths.Reward);
        var ids = FixturePaths.InputIds(reference);
        var lengths = FixturePaths.Lengths(reference);
        var expected = reference.GetProperty("reward_last_real_token").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        using var model = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        var rows = ids.Select((row, i) => row.Take(lengths[i]).Select(x => (int)x).ToArray()).ToArray();
        using var batch = RewardBatch.Create(rows, model.PadTokenId);
        using var noGrad = no_grad();
        using var rewards = batch.Rewards(model);
        var actual = rewards.data<float>().ToArray();
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4);
    }

    [Fact]
    public void A_real_eos_at_the_end_is_scored_and_padding_changes_nothing()
    {
        using var model = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        int[][] rows =
        [
            [40, 588, 340, 845, 881, 50256],                 // ends with a real EOS (= pad id)
            [15496, 995, 11, 428, 318, 257, 1332, 13, 50256, 40],
            [15496, 995],
        ];
        using var noGrad = no_grad();
        using var batch = RewardBatch.Create(rows, model.PadTokenId);
        Assert.Equal(new long[] { 5, 9, 1 }, batch.LastIndex.data<long>().ToArray());
        using var batched = batch.Rewards(model);
        using var masked = model.Rewards(batch.InputIds, batch.AttentionMask);   // HF path: padding mask in attention
        for (var i = 0; i < rows.Length; i++)
        {
            using var single = RewardBatch.Create([rows[i]], model.PadTokenId);
            using var alone = single.Rewards(model);
            Assert.Equal(alone.item<float>(), batched[i].item<float>(), 1e-5);
            Assert.Equal(masked[i].item<float>(), batched[i].item<float>(), 1e-5);
        }
    }

    [Fact]
    public void Score_uses_the_training_template_and_keeps_the_end()
    {
        using var model = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        var prompt = "How do I bake bread?";
        var response = "First mix the flour please and then bake it.";
        var ids = Gpt2Tokenizer.Shared.Encode(ConversationTemplate.RenderWithResponse(prompt, response));
        Assert.Equal(ids, RewardBatch.Encode(prompt, response, 64));
        Assert.Equal(ids[^6..], RewardBatch.Encode(prompt, response, 6));

        using var batch = RewardBatch.Create([ids[^6..]], model.PadTokenId);
        using var noGrad = no_grad();
        using var expected = batch.Rewards(model);
        Assert.Equal(expected.item<float>(), RewardTrainer.Score(model, prompt, response, maxLength: 6), 1e-6);

        var many = RewardTrainer.Score(model, [(prompt, response), ("Hi", "Hello <|endoftext|>"), ("Hi", "Hello")], maxLength: 64, batchSize: 2);
        Assert.Equal(RewardTrainer.Score(model, prompt, response, 64), many[0], 1e-5);
        Assert.Equal(RewardTrainer.Score(model, "Hi", "Hello <|endoftext|>", 64), many[1], 1e-5);
        Assert.Equal(RewardTrainer.Score(model, "Hi", "Hello", 64), many[2], 1e-5);
        Assert.NotEqual(many[1], many[2], 1e-4);   // the EOS is a real token and is read
    }
}
