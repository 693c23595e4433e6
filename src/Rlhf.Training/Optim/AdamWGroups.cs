using TorchSharp;
using TorchSharp.Modules;

namespace Rlhf.Training.Optim;

/// <summary>
/// TorchSharp's AdamW as GPT-2 is trained (nanoGPT, TRL): two parameter groups, decoupled weight decay on the 2-D
/// weights (Linear and embedding weights) and none on biases and LayerNorm; one learning rate for both.
/// </summary>
internal static class AdamWGroups
{
    public static AdamW Create(IEnumerable<Parameter> parameters, double learningRate, double beta1, double beta2, double eps, double weightDecay)
    {
        var all = parameters.ToArray();
        var decay = all.Where(p => p.dim() >= 2).ToArray();
        var noDecay = all.Where(p => p.dim() < 2).ToArray();
        return torch.optim.AdamW(
            [
                new AdamW.ParamGroup(decay, learningRate, beta1, beta2, eps, weightDecay, false, false),
                new AdamW.ParamGroup(noDecay, learningRate, beta1, beta2, eps, 0.0, false, false),
            ],
            learningRate, beta1, beta2, eps, weightDecay);
    }

    /// <summary>Sets the learning rate of every group (the schedule's value for this step).</summary>
    public static void SetLearningRate(this AdamW optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
    }
}
