using Rlhf.Training.Checkpoints;
using Rlhf.Training.Ppo;
using Rlhf.Training.Sampling;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Ppo;

/// <summary>
/// PpoForward reads the batched query+response forward at the right columns: checked against the models run on each
/// prefix alone, unpadded, where "the state before response token t" is simply the last token of the prefix.
/// </summary>
public class PpoForwardTests
{
    private static readonly string[] Prompts = ["How do I bake bread?", "Hi", "Tell me a joke about cats please"];

    /// <summary>Left-padded queries (P columns) and sampled responses (N columns) from the tiny fixture policy.</summary>
    private static (Tensor QueryResponses, Tensor Mask, int P, int[][] Queries, long[][] Responses) Batch(int n)
    {
        using var policy = Gpt2Checkpoint.LoadLanguageModel(FixturePaths.Lm);
        var queries = Prompts.Select(p => Gpt2Tokenizer.Shared.Encode(ConversationTemplate.RenderPrompt(p))).ToArray();
        using var generator = new Generator(3);
        using var generation = Sampler.Generate(policy, queries, new GenerationConfig { MaxNewTokens = n, Temperature = 1.0, StopAtEos = false }, generator);
        var P = (int)generation.PromptIds.shape[1];
        var queryResponses = cat([generation.PromptIds, generation.Tokens], 1);                 // [B, P + N]
        var mask = cat([generation.PromptMask, ones_like(generation.Tokens)], 1);                // [B, P + N]
        var responses = generation.TokenRows().Select(r => r.Select(x => (long)x).ToArray()).ToArray();
        return (queryResponses, mask, P, queries, responses);
    }

    [Fact]
    public void Values_at_response_position_t_are_the_value_model_on_the_prefix_ending_just_before_token_t()
    {
        TorchThreads.EnsureConfigured();
        const int n = 5;
        var (queryResponses, mask, P, queries, responses) = Batch(n);
        using var valueModel = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        using var noGrad = no_grad();
        using var values = PpoForward.Values(valueModel, queryResponses, mask, P);             // [B, N]
        Assert.Equal(new long[] { Prompts.Length, n }, values.shape);
        for (var b = 0; b < Prompts.Length; b++)
            for (var t = 0; t < n; t++)
            {
                // The prefix query + response[:t], alone and unpadded: its last position is the state that values token t.
                var prefix = queries[b].Select(x => (long)x).Concat(responses[b].Take(t)).ToArray();
                using var alone = valueModel.forward(tensor(prefix).unsqueeze(0));             // [1, T]
                var expected = alone[0, -1].item<float>();
                var actual = values[b, t].item<float>();
                Assert.True(Math.Abs(expected - actual) < 1e-4, $"row {b}, response position {t}: value {actual}, the prefix alone gives {expected}");
            }
    }

    [Fact]
    public void Log_probs_at_response_position_t_are_the_policy_on_the_prefix_ending_just_before_token_t()
    {
        TorchThreads.EnsureConfigured();
        const int n = 5;
        const double temperature = 0.7;
        var (queryResponses, mask, P, queries, responses) = Batch(n);
        using var policy = Gpt2Checkpoint.LoadLanguageModel(FixturePaths.Lm);
        using var noGrad = no_grad();
        using var logits = PpoForward.ResponseLogits(policy, queryResponses, mask, P, temperature);   // [B, N, V]
        using var logprobs = PpoForward.LogProbs(logits, queryResponses.narrow(1, P, n));          // [B, N]
        for (var b = 0; b < Prompts.Length; b++)
            for (var t = 0; t < n; t++)
            {
                var prefix = queries[b].Select(x => (long)x).Concat(responses[b].Take(t)).ToArray();
                using var alone = policy.forward(tensor(prefix).unsqueeze(0));                 // [1, T, V]
                var expected = (alone[0, -1] / temperature).log_softmax(-1)[responses[b][t]].item<float>();
                var actual = logprobs[b, t].item<float>();
                Assert.True(Math.Abs(expected - actual) < 1e-4, $"row {b}, response position {t}: log-prob {actual}, the prefix alone gives {expected}");
            }
    }

    [Fact]
    public void Log_probs_and_entropy_from_one_log_softmax_match_the_separate_TRL_formulas()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var logits = (3 * randn([2, 3, 50], generator: generator)).requires_grad_();              // [B, N, V]
        var responses = randint(0, 50, [2, 3], generator: generator);                              // [B, N]
        var (logprobs, entropy) = PpoForward.LogProbsAndEntropy(logits, responses);

        var expectedLogprobs = PpoForward.LogProbs(logits.detach(), responses);                    // log_softmax + gather
        var expectedEntropy = PpoMath.EntropyFromLogits(logits.detach());                          // logsumexp - sum(softmax * l)
        Assert.True((logprobs.detach() - expectedLogprobs).abs().max().item<float>() < 1e-5);
        Assert.True((entropy - expectedEntropy).abs().max().item<float>() < 1e-4);
        Assert.True(entropy.min().item<float>() > 0);
        Assert.False(entropy.requires_grad);

        logprobs.sum().backward();                                                                  // d/dl log_softmax(l)[y] = onehot(y) - softmax(l)
        var expectedGrad = nn.functional.one_hot(responses, 50).to_type(ScalarType.Float32) - logits.detach().softmax(-1);
        Assert.True((logits.grad! - expectedGrad).abs().max().item<float>() < 1e-5);
    }
}
