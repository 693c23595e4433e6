using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Ppo;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Ppo;

/// <summary>
/// A one-token bandit for PPO with a known answer. The reference policy is the tiny fixture GPT-2 with its final
/// LayerNorm turned into a constant (ln_f weight 0, bias e_0), so every context ends in the same hidden state h = e_0
/// and the next-token logits are column 0 of wte: the <see cref="ArmCount"/> arms (token ids <see cref="Arms"/>) get
/// logits <see cref="ArmLogits"/> and every other token about 0 (wte ~ N(0, 0.02)). At temperature 0.7 the arms hold
/// about 80% of the reference's mass; the other 50,247 tokens share the rest. Training moves every weight (ln_f's
/// weight is 0 only at the start), so the policy is a free network, not a table.
/// </summary>
internal static class PpoBandit
{
    public const int ArmCount = 10;

    /// <summary>The arms: tokens 100..109 (never in the prompt, whose last position alone decides the response).</summary>
    public static readonly long[] Arms = Enumerable.Range(100, ArmCount).Select(i => (long)i).ToArray();

    /// <summary>Reference logits of the arms (before the temperature): uneven, so the optimum is not a uniform tilt.</summary>
    public static readonly double[] ArmLogits = [6.6, 6.9, 7.2, 6.5, 7.0, 6.8, 7.1, 6.6, 6.9, 6.7];

    /// <summary>The scripted reward of each arm; every other token scores 0.</summary>
    public static readonly double[] ArmRewards = [0.00, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45];

    public static readonly string[] Prompts = ["Pick one"];

    /// <summary>Writes the bandit's reference policy (HF layout) to <paramref name="folder"/> and returns the folder.</summary>
    public static string WriteReferencePolicy(string folder)
    {
        using var model = Gpt2Checkpoint.LoadLanguageModel(FixturePaths.Lm);
        using (no_grad())
        {
            var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            parameters["transformer.ln_f.weight"].zero_();
            var bias = parameters["transformer.ln_f.bias"];
            bias.zero_();
            bias[0] = 1.0f;
            var wte = parameters["transformer.wte.weight"];                     // [V, C]; logits = h . wte[v] = wte[v, 0]
            for (var i = 0; i < ArmCount; i++) wte[Arms[i], 0] = (float)ArmLogits[i];
        }
        Gpt2Checkpoint.Save(model, folder);
        return folder;
    }

    /// <summary>pi(. | prompt) = softmax(logits / temperature) of the model in <paramref name="folder"/>, over the whole vocabulary.</summary>
    public static double[] NextTokenDistribution(string folder, string prompt, double temperature)
    {
        using var model = Gpt2Checkpoint.LoadLanguageModel(folder);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var ids = Gpt2Tokenizer.Shared.Encode(ConversationTemplate.RenderPrompt(prompt)).Select(i => (long)i).ToArray();
        var logits = model.forward(tensor(ids).unsqueeze(0))[0, -1];                   // [V]
        return (logits.to_type(ScalarType.Float64) / temperature).softmax(-1).data<double>().ToArray();
    }

    /// <summary>r(a) for every token of the vocabulary.</summary>
    public static double[] Rewards(int vocabularySize)
    {
        var r = new double[vocabularySize];
        for (var i = 0; i < ArmCount; i++) r[Arms[i]] = ArmRewards[i];
        return r;
    }

    public static double TotalVariation(double[] p, double[] q) => 0.5 * p.Zip(q, (a, b) => Math.Abs(a - b)).Sum();

    public static double Kl(double[] p, double[] q) => p.Zip(q, (a, b) => a > 0 ? a * Math.Log(a / b) : 0).Sum();

    /// <summary>Scores a one-token response by <see cref="ArmRewards"/> (0 for any other token).</summary>
    public sealed class Scorer : IScorer
    {
        private readonly Tensor _rewards = tensor(Rewards(50257).Select(x => (float)x).ToArray());   // [V]

        public Tensor Score(Tensor queryResponseIds, Tensor mask, int contextLength)
            => _rewards.index_select(0, queryResponseIds[TensorIndex.Colon, contextLength]);   // [B]
    }
}
