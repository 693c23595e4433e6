using Rlhf.Training.Models;
using Rlhf.Training.Optim;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Reward;

/// <summary>
/// One training step of the reward model: chosen and rejected rows in one forward pass ([2B, T]), the
/// Bradley-Terry loss (<see cref="RewardLoss"/>), backward, global grad-norm clipping, AdamW (betas 0.9/0.999,
/// decoupled weight decay on 2-D weights only), all inside one dispose scope. The optimizer is <see cref="FusedAdamW"/> (clipping folded in).
/// Public (with <see cref="RewardBatch"/>) so `rlhf bench reward` times the very step <see cref="RewardTrainer"/> runs.
/// </summary>
public sealed class RewardOptimizer : IDisposable
{
    private readonly IRewardModel _model;
    private readonly FusedAdamW _optimizer;
    private readonly double _maxGradNorm;
    private readonly double? _centerCoefficient;

    /// <param name="parameters">What trains (a LoRA run's adapter, see <see cref="Lora.TrainedWeights"/>); null: every weight of the model.</param>
    public RewardOptimizer(IRewardModel model, RewardTrainingConfig config, IEnumerable<(string Name, Parameter Parameter)>? parameters = null)
    {
        _model = model;
        _optimizer = new FusedAdamW(parameters ?? model.Module.named_parameters().Select(p => (p.name, p.parameter)), config.AdamEpsilon, config.WeightDecay, beta1: 0.9, beta2: 0.999);
        _maxGradNorm = config.MaxGradNorm;
        _centerCoefficient = config.CenterRewardsCoefficient;
    }

    /// <summary>Trains on one batch: rows 0..B-1 chosen, B..2B-1 rejected (the same pairs in the same order).</summary>
    /// <param name="margins">[B] float32 margins, or null</param>
    public RewardStepStats Step(RewardBatch batch, Tensor? margins, double learningRate)
    {
        using var scope = NewDisposeScope();
        var pairs = batch.Rows / 2;
        _optimizer.ZeroGrad();
        var rewards = batch.Rewards(_model);                                            // [2B]
        var chosen = rewards.narrow(0, 0, pairs);                                       // [B]
        var rejected = rewards.narrow(0, pairs, pairs);                                 // [B]
        var terms = RewardLoss.Compute(chosen, rejected, margins, _centerCoefficient);
        terms.Loss.backward();
        var gradNorm = _optimizer.Step(learningRate, _maxGradNorm);                     // clip + AdamW, fused
        _optimizer.ZeroGrad();                                                          // free the gradients between steps

        var detached = rewards.detach();
        return new RewardStepStats(terms.Loss.item<float>(), terms.Accuracy.item<float>(), terms.Margin.item<float>(),
            terms.MeanReward.item<float>(), detached.min().item<float>(), detached.max().item<float>(), gradNorm);
    }

    /// <summary>AdamW moments and step count (safetensors, see <see cref="FusedAdamW.Save"/>).</summary>
    public void Save(string path) => _optimizer.Save(path);

    public void Load(string path) => _optimizer.Load(path);

    public void Dispose() => _optimizer.Dispose();
}
