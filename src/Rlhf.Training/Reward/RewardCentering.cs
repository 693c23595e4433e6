using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Reward;

/// <summary>
/// Shifts every reward of a GPT2ForSequenceClassification by a constant. The Hugging Face layout has no score
/// bias, but the score is linear in ln_f's output: r = w . ln_f(x) = w . (gamma * x_hat + beta). Adding
/// delta = shift * w / ||w||^2 to beta (transformer.ln_f.bias) adds w . delta = shift to every reward, and to
/// nothing else the score head reads; pairwise differences are unchanged. (The backbone's hidden states change
/// by delta, so a policy sharing this backbone must not be shifted; the reward model is only used for scores.)
/// </summary>
public static class RewardCentering
{
    public const string LnFBiasName = "transformer.ln_f.bias";

    /// <summary>Adds <paramref name="shift"/> to every reward the model gives.</summary>
    public static void Apply(Gpt2ForSequenceClassification model, double shift)
    {
        if (!double.IsFinite(shift)) throw new ArgumentException($"the reward shift must be a finite number (got {shift})", nameof(shift));
        if (shift == 0) return;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var bias = model.named_parameters().First(p => p.name == LnFBiasName).parameter;
        var w = model.ScoreWeight.detach().reshape(-1).to_type(ScalarType.Float64);   // [C]
        var norm2 = w.dot(w).item<double>();
        if (!(norm2 > 0)) throw new InvalidOperationException("the score head is zero, so rewards cannot be shifted");
        var delta = w * (shift / norm2);                                              // [C]
        bias.add_(delta.to_type(bias.dtype));
    }
}
