using Rlhf.Training.Models;
using Rlhf.Training.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// One AdamW over the policy and the value model together (TRL wraps both in PolicyAndValueWrapper and gives the
/// wrapper to one optimizer): betas 0.9/0.999, eps <see cref="PpoConfig.AdamEpsilon"/>, decoupled weight decay on 2-D
/// weights only. It is <see cref="FusedAdamW"/>, as for every trainer, so the state (moments of "policy/..." and
/// "value/..." and the step count) is saved in the one optimizer-state format.
/// <para>Gradient clipping (<see cref="PpoConfig.MaxGradNorm"/>; TRL's PPO loop does not clip) is applied to each
/// model's gradient separately (one clip group per model): clipped together, a large value-loss gradient (early in a
/// run, when the values are far from the returns) would shrink the policy's step as well.</para>
/// </summary>
public sealed class PpoOptimizer : IDisposable
{
    private readonly FusedAdamW _optimizer;
    private readonly double _maxGradNorm;

    public PpoOptimizer(ICausalLanguageModel policy, IRewardModel valueModel, PpoConfig config)
        : this(policy.Module.named_parameters().Select(p => (p.name, p.parameter)), valueModel.Module.named_parameters().Select(p => (p.name, p.parameter)), config)
    {
    }

    /// <summary>Over what trains of each model (every weight, or a LoRA run's adapters: <see cref="Lora.TrainedWeights.Parameters"/>).</summary>
    public PpoOptimizer(IEnumerable<(string Name, Parameter Parameter)> policy, IEnumerable<(string Name, Parameter Parameter)> value, PpoConfig config)
    {
        _optimizer = new FusedAdamW(
            [
                policy.Select(p => ("policy/" + p.Name, p.Parameter)),
                value.Select(p => ("value/" + p.Name, p.Parameter)),
            ],
            config.AdamEpsilon, config.WeightDecay, beta1: 0.9, beta2: 0.999);
        _maxGradNorm = config.MaxGradNorm;
    }

    /// <summary>The schedule's learning rate for the next steps.</summary>
    public double LearningRate { get; set; }

    /// <summary>backward, clip each model's gradient, step, release the gradients; returns the two gradient norms before clipping.</summary>
    public (double Policy, double Value) Step(Tensor loss, PpoPhaseTimes? times = null)
    {
        loss.backward();
        times?.Lap("backward");
        var norms = _optimizer.StepEachGroup(LearningRate, _maxGradNorm);
        _optimizer.ZeroGrad();
        times?.Lap("optimizer");
        return (norms[0], norms[1]);
    }

    public void Save(string path) => _optimizer.Save(path);

    public void Load(string path) => _optimizer.Load(path);

    public void Dispose() => _optimizer.Dispose();
}
