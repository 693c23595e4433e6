namespace Rlhf.Data.Exchange;

/// <summary>Which candidates of one prompt are compared: pairs of indexes (i, j), i &lt; j, into the distinct candidates.</summary>
public static class Pairing
{
    /// <summary>
    /// The pairs for <paramref name="count"/> distinct candidates (deduplicate identical texts first). All: every pair;
    /// Adjacent: (0,1), (1,2), ...; Random: <paramref name="pairsPerPrompt"/> pairs drawn without replacement with
    /// <paramref name="random"/> (required for Random), returned in (i, j) order.
    /// </summary>
    public static IReadOnlyList<(int A, int B)> Pairs(int count, PairingMode mode, int pairsPerPrompt = 1, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var pairs = new List<(int, int)>();
        switch (mode)
        {
            case PairingMode.All:
                for (var i = 0; i < count; i++)
                    for (var j = i + 1; j < count; j++)
                        pairs.Add((i, j));
                break;
            case PairingMode.Adjacent:
                for (var i = 0; i + 1 < count; i++) pairs.Add((i, i + 1));
                break;
            case PairingMode.Random:
                ArgumentNullException.ThrowIfNull(random);
                ArgumentOutOfRangeException.ThrowIfLessThan(pairsPerPrompt, 1);
                var all = Pairs(count, PairingMode.All).ToArray();
                var take = Math.Min(pairsPerPrompt, all.Length);
                // Partial Fisher-Yates: the first `take` slots are a uniform sample without replacement.
                for (var i = 0; i < take; i++)
                {
                    var k = random.Next(i, all.Length);
                    (all[i], all[k]) = (all[k], all[i]);
                }
                pairs.AddRange(all.Take(take).Order());
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown pairing mode.");
        }
        return pairs;
    }

    /// <summary>
    /// A Random for one record, from the import's seed and the record's line: the same file and seed give the same draws,
    /// whichever other lines are bad. (System.Random with a seed is the same sequence on every platform and version.)
    /// </summary>
    public static Random ForLine(int seed, long line) => new(unchecked(seed * 1_000_003 + (int)(line * 7919)) & int.MaxValue);
}
