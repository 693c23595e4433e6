using static TorchSharp.torch;

namespace Rlhf.Training.Dpo;

/// <summary>One batch's DPO loss (scalar, with grad) and each pair's implicit rewards beta x log-ratio ([B], detached).</summary>
public sealed record DpoLossTerms(Tensor Loss, Tensor ChosenRewards, Tensor RejectedRewards) : IDisposable
{
    public void Dispose()
    {
        Loss.Dispose();
        ChosenRewards.Dispose();
        RejectedRewards.Dispose();
    }
}
