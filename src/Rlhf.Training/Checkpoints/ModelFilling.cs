using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// The steps every checkpoint loader shares once it has built an empty model: fill its parameters, dispose it
/// when that fails (nothing half-loaded escapes), return it in eval mode; and the score head of a reward model
/// a checkpoint has none for (a policy or LM checkpoint).
/// </summary>
internal static class ModelFilling
{
    /// <summary>Runs <paramref name="fill"/> on <paramref name="model"/>; on any exception disposes the model and rethrows.</summary>
    public static T Fill<T>(T model, Action<T> fill) where T : nn.Module
    {
        try
        {
            fill(model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>Draws score.weight [1, hidden] ~ N(0, 1/sqrt(hidden + 1)), as TRL/HF initialise a new reward head.</summary>
    public static void InitScoreHead(Tensor scoreWeight, long hiddenSize, Generator? generator)
    {
        using var noGrad = no_grad();
        scoreWeight.normal_(0.0, 1.0 / Math.Sqrt(hiddenSize + 1), generator);
    }
}
