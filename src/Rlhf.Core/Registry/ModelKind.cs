namespace Rlhf.Core.Registry;

/// <summary>Where a checkpoint sits in the lineage: a base (pretrained) policy, a reward model, or a fine-tuned policy.</summary>
public enum ModelKind
{
    Base = 0,
    Reward = 1,
    Policy = 2,
}
