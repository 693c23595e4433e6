using static TorchSharp.torch;

namespace Rlhf.Training.Grpo;

/// <summary>
/// The loss of one GRPO minibatch and the statistics TRL logs for it. <see cref="Loss"/> carries grad; the others are
/// detached scalars. <see cref="Kl"/> is null when beta is 0 (no reference, as TRL logs no kl then).
/// </summary>
public sealed record GrpoLossTerms(Tensor Loss, Tensor? Kl, Tensor LowClipped, Tensor HighClipped, Tensor RegionClipped,
    Tensor LowClippedMin, Tensor HighClippedMax) : IDisposable
{
    public void Dispose()
    {
        Loss.Dispose();
        Kl?.Dispose();
        LowClipped.Dispose();
        HighClipped.Dispose();
        RegionClipped.Dispose();
        LowClippedMin.Dispose();
        HighClippedMax.Dispose();
    }
}
