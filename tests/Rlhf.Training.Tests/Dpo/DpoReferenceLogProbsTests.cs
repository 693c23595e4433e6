using Rlhf.Training.Checkpoints;
using Rlhf.Training.Dpo;
using Rlhf.Training.Models;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Dpo;

/// <summary>The batched, padded log-probs the trainer precomputes for the reference equal a fresh one-row forward, for GPT-2 and Qwen3.</summary>
public class DpoReferenceLogProbsTests
{
    public DpoReferenceLogProbsTests() => TorchThreads.EnsureConfigured();

    // Rows of different lengths (so the batch pads), ids below every fixture's vocabulary (512).
    private static readonly DpoExample[] Examples =
    [
        new(0, [11, 12, 13], [21, 22], [31, 32, 33, 34]),
        new(1, [14, 15], [23, 24, 25, 26, 27], [35]),
        new(2, [16, 17, 18, 19, 20], [28], [36, 37]),
    ];

    [Theory]
    [InlineData("gpt2-tiny-lm")]
    [InlineData("qwen3-tiny")]
    public void Batched_log_probs_equal_a_fresh_forward_of_each_row(string fixture)
    {
        using var model = ModelLoader.LoadLanguageModel(FixturePaths.Of(fixture));
        var config = new DpoConfig { BatchPairs = 2 };   // two batches: [0, 1] then [2]
        var scored = DpoTrainer.Score(model, Examples, [0, 1, 2], 64, config);
        for (var i = 0; i < Examples.Length; i++)
        {
            Assert.Equal(Fresh(model, Examples[i].PromptIds, Examples[i].ChosenIds), scored.Chosen[i], 1e-4);
            Assert.Equal(Fresh(model, Examples[i].PromptIds, Examples[i].RejectedIds), scored.Rejected[i], 1e-4);
            Assert.Equal(Examples[i].ChosenIds.Length, scored.ChosenTokens[i]);
            Assert.Equal(Examples[i].RejectedIds.Length, scored.RejectedTokens[i]);
        }
    }

    /// <summary>sum over the completion of log softmax(logits)[next token], one unpadded row.</summary>
    private static double Fresh(ICausalLanguageModel model, int[] prompt, int[] completion)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int[] ids = [.. prompt, .. completion];
        var logp = model.forward(tensor(ids.Select(x => (long)x).ToArray(), [1, ids.Length])).log_softmax(-1);   // [1, T, V]
        var sum = 0.0;
        for (var t = prompt.Length; t < ids.Length; t++) sum += logp[0, t - 1, ids[t]].item<float>();
        return sum;
    }
}
