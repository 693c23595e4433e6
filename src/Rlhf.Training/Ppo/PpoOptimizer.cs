using Rlhf.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// One AdamW over the policy and the value model together (TRL wraps both in PolicyAndValueWrapper and gives the
/// wrapper to one optimizer): betas 0.9/0.999, eps <see cref="PpoConfig.AdamEpsilon"/>, decoupled weight decay on 2-D
/// weights only; global grad-norm clipping over both models; the state (moments and step counts) saved in TorchSharp's
/// format.
/// </summary>
internal sealed class PpoOptimizer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly AdamW _optimizer;
    private readonly double _maxGradNorm;

    public PpoOptimizer(Gpt2LMHeadModel policy, Gpt2ForSequenceClassification valueModel, PpoConfig config)
    {
        _parameters = [.. policy.parameters(), .. valueModel.parameters()];
        var decay = _parameters.Where(p => p.dim() >= 2).ToArray();
        var noDecay = _parameters.Where(p => p.dim() < 2).ToArray();
        const double beta1 = 0.9, beta2 = 0.999;
        _optimizer = optim.AdamW(
            [
                new AdamW.ParamGroup(decay, config.LearningRate, beta1, beta2, config.AdamEpsilon, config.WeightDecay, false, false),
                new AdamW.ParamGroup(noDecay, config.LearningRate, beta1, beta2, config.AdamEpsilon, 0.0, false, false),
            ],
            config.LearningRate, beta1, beta2, config.AdamEpsilon, config.WeightDecay);
        _maxGradNorm = config.MaxGradNorm;
    }

    public double LearningRate
    {
        set { foreach (var group in _optimizer.ParamGroups) group.LearningRate = value; }
    }

    /// <summary>backward, clip, step, zero_grad (TRL's order); returns the gradient norm before clipping.</summary>
    public double Step(Tensor loss)
    {
        loss.backward();
        var gradNorm = nn.utils.clip_grad_norm_(_parameters, _maxGradNorm > 0 ? _maxGradNorm : double.PositiveInfinity);
        _optimizer.step();
        _optimizer.zero_grad();
        return gradNorm;
    }

    public void Save(string path) => _optimizer.save_state_dict(path);

    public void Load(string path) => _optimizer.load_state_dict(path);

    public void Dispose() => _optimizer.Dispose();
}
