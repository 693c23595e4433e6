using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Pretraining;

/// <summary>
/// GPT-2 weight initialisation (as nanoGPT and Hugging Face): every Linear and Embedding weight
/// N(0, 0.02), the residual projections (attn.c_proj, mlp.c_proj) N(0, 0.02 / sqrt(2 * n_layer)),
/// biases 0, LayerNorm weight 1 and bias 0. Parameters are visited in named_parameters order and drawn
/// from the given generator, so a seed fixes the initial model.
/// </summary>
public static class Gpt2Init
{
    public const double Std = 0.02;

    public static void Apply(Gpt2LMHeadModel model, Generator generator)
    {
        using var noGrad = no_grad();
        var residualStd = Std / Math.Sqrt(2.0 * model.Config.NLayer);
        foreach (var (name, p) in model.named_parameters())
        {
            var isLayerNorm = name.Contains(".ln_", StringComparison.Ordinal) || name.Contains("ln_f.", StringComparison.Ordinal);
            if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else if (isLayerNorm) p.fill_(1.0);
            else if (name.EndsWith("c_proj.weight", StringComparison.Ordinal)) p.normal_(0.0, residualStd, generator);
            else p.normal_(0.0, Std, generator);
        }
    }
}
