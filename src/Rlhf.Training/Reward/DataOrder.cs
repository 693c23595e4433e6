using Rlhf.Training.Optim;

namespace Rlhf.Training.Reward;

/// <summary>
/// The order training pairs are visited in: epoch e is a System.Random shuffle of the training split seeded from
/// (data-order seed, e), cut into batches of BatchPairs (the last one of an epoch may be smaller). Any step's
/// batch can be recomputed from the seed alone, which is what lets a resumed run continue the same order.
/// </summary>
internal sealed class DataOrder(IReadOnlyList<int> train, int batchPairs, long seed)
{
    private int _epoch = -1;
    private int[] _permutation = [];

    public int StepsPerEpoch { get; } = (train.Count + batchPairs - 1) / batchPairs;

    /// <summary>The pair indices of 0-based step <paramref name="step"/>.</summary>
    public int[] Batch(long step)
    {
        var epoch = (int)(step / StepsPerEpoch);
        var within = (int)(step % StepsPerEpoch);
        if (epoch != _epoch)
        {
            _permutation = train.ToArray();
            new Random(SeedMix.ToInt32(seed, epoch)).Shuffle(_permutation);
            _epoch = epoch;
        }
        var start = within * batchPairs;
        return _permutation[start..Math.Min(start + batchPairs, _permutation.Length)];
    }
}
