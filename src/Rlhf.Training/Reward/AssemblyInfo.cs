// The reward tests check the batching internals (RewardBatch) against the fixtures' reference rewards.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Rlhf.Training.Tests")]
