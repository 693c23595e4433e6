using Rlhf.Training.Optim;

namespace Rlhf.Training.Ppo;

/// <summary>
/// The order prompts are drawn in: an endless stream of epochs, epoch e a System.Random shuffle of all prompts seeded
/// from (seed, e); update s takes stream positions s x B .. s x B + B - 1 (so a batch may straddle two epochs and
/// nothing is dropped, even with fewer prompts than the batch size). Any update's prompts follow from the seed alone,
/// which is what lets a resumed run continue the same order.
/// </summary>
internal sealed class PromptOrder(int count, int batchSize, long seed)
{
    private readonly Dictionary<long, int[]> _epochs = [];

    /// <summary>Prompt indices of 0-based update <paramref name="step"/>.</summary>
    public int[] Batch(long step)
    {
        var result = new int[batchSize];
        for (var i = 0; i < batchSize; i++)
        {
            var k = step * batchSize + i;
            result[i] = Permutation(k / count)[k % count];
        }
        return result;
    }

    private int[] Permutation(long epoch)
    {
        if (_epochs.TryGetValue(epoch, out var p)) return p;
        if (_epochs.Count > 4) _epochs.Clear();
        p = Enumerable.Range(0, count).ToArray();
        new Random(SeedMix.ToInt32(seed, epoch)).Shuffle(p);
        _epochs[epoch] = p;
        return p;
    }
}

/// <summary>Per-update random streams derived from the run seed (independent of the process and of resuming).</summary>
internal static class PpoSeeds
{
    private const ulong SamplingStream = 0x5A3D_1E0F_0000_0001UL;
    private const ulong MinibatchStream = 0x5A3D_1E0F_0000_0002UL;
    private const ulong NormalizationStream = 0x5A3D_1E0F_0000_0003UL;

    /// <summary>Seed of the torch generator that samples update <paramref name="step"/>'s responses.</summary>
    public static ulong Sampling(long seed, long step) => SeedMix.Mix(SeedMix.Mix((ulong)seed ^ SamplingStream) ^ (ulong)step);

    /// <summary>Seed of the torch generator that samples batch <paramref name="batch"/> of the reward normalisation.</summary>
    public static ulong Normalization(long seed, long batch) => SeedMix.Mix(SeedMix.Mix((ulong)seed ^ NormalizationStream) ^ (ulong)batch);

    /// <summary>Seed of the System.Random that shuffles update <paramref name="step"/>'s minibatches.</summary>
    public static int Minibatches(long seed, long step) => unchecked((int)SeedMix.Mix(SeedMix.Mix((ulong)seed ^ MinibatchStream) ^ (ulong)step));
}
