using Rlhf.Training.Models;
using Rlhf.Training.Optim;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// One AdamW over the policy and the value model together (TRL wraps both in PolicyAndValueWrapper and gives the
/// wrapper to one optimizer): betas 0.9/0.999, eps <see cref="PpoConfig.AdamEpsilon"/>, decoupled weight decay on 2-D
/// weights only; the state (moments and step counts) saved in TorchSharp's format.
/// <para>Gradient clipping (<see cref="PpoConfig.MaxGradNorm"/>; TRL's PPO loop does not clip) is applied to each
/// model's gradient separately: clipped together, a large value-loss gradient (early in a run, when the values are far
/// from the returns) would shrink the policy's step as well.</para>
/// </summary>
internal sealed class PpoOptimizer : IDisposable
{
    private readonly Parameter[] _policyParameters;
    private readonly Parameter[] _valueParameters;
    private readonly AdamW _optimizer;
    private readonly double _maxGradNorm;

    public PpoOptimizer(Gpt2LMHeadModel policy, Gpt2ForSequenceClassification valueModel, PpoConfig config)
    {
        _policyParameters = [.. policy.parameters()];
        _valueParameters = [.. valueModel.parameters()];
        _optimizer = AdamWGroups.Create([.. _policyParameters, .. _valueParameters], config.LearningRate, 0.9, 0.999, config.AdamEpsilon, config.WeightDecay);
        _maxGradNorm = config.MaxGradNorm;
    }

    public double LearningRate
    {
        set => _optimizer.SetLearningRate(value);
    }

    /// <summary>backward, clip each model's gradient, step, zero_grad; returns the two gradient norms before clipping.</summary>
    public (double Policy, double Value) Step(Tensor loss)
    {
        loss.backward();
        var maxNorm = _maxGradNorm > 0 ? _maxGradNorm : double.PositiveInfinity;
        var policyNorm = nn.utils.clip_grad_norm_(_policyParameters, maxNorm);
        var valueNorm = nn.utils.clip_grad_norm_(_valueParameters, maxNorm);
        _optimizer.step();
        _optimizer.zero_grad();
        return (policyNorm, valueNorm);
    }

    public void Save(string path) => _optimizer.save_state_dict(path);

    public void Load(string path) => _optimizer.load_state_dict(path);

    public void Dispose() => _optimizer.Dispose();
}
