using Rlhf.Training.Optim;

namespace Rlhf.Training.Reward;

/// <summary>
/// The train/validation split of a preference set, by group (<see cref="PreferencePair.SplitKey"/>: the prompt id,
/// else the prompt text), so no group has pairs on both sides.
/// <para>The distinct groups, in order of first appearance, are shuffled with System.Random(seed) (stable across
/// .NET versions); whole groups then go to validation, in that order, until it holds at least
/// round(fraction x pairs) pairs (at least 1 when fraction &gt; 0), always leaving one group for training.
/// With one group only, or fraction 0, validation is empty.</para>
/// </summary>
/// <param name="Train">Indices into the pair list, ascending.</param>
/// <param name="Validation">Indices into the pair list, ascending.</param>
public sealed record PreferenceSplit(IReadOnlyList<int> Train, IReadOnlyList<int> Validation)
{
    /// <summary>--validation-fraction's check, one place for every config that splits by group (reward, DPO, SFT).</summary>
    public static void AddFractionProblem(List<ConfigProblem> problems, double validationFraction)
    {
        if (!(validationFraction is >= 0 and < 1))
            problems.Add(new("ValidationFraction", "--validation-fraction",
                $"must be >= 0 and < 1 (got {validationFraction.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})"));
    }

    public static PreferenceSplit Create(IReadOnlyList<PreferencePair> pairs, double validationFraction, long seed)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return Create(pairs.Select(p => p.SplitKey).ToList(), validationFraction, seed);
    }

    /// <summary>The same split over items given by their group keys (one per item, e.g. SFT examples by prompt).</summary>
    public static PreferenceSplit Create(IReadOnlyList<string> groupKeys, double validationFraction, long seed)
    {
        ArgumentNullException.ThrowIfNull(groupKeys);
        if (!(validationFraction is >= 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), "the validation fraction must be >= 0 and < 1");

        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var order = new List<string>();
        for (var i = 0; i < groupKeys.Count; i++)
        {
            var key = groupKeys[i];
            if (!groups.TryGetValue(key, out var members))
            {
                groups[key] = members = [];
                order.Add(key);
            }
            members.Add(i);
        }

        var keys = order.ToArray();
        new Random(SeedMix.ToInt32(seed)).Shuffle(keys);

        var target = validationFraction > 0 ? Math.Max(1, (int)Math.Round(validationFraction * groupKeys.Count)) : 0;
        var validation = new List<int>();
        var usedGroups = 0;
        foreach (var key in keys)
        {
            if (validation.Count >= target || usedGroups >= keys.Length - 1) break;
            validation.AddRange(groups[key]);
            usedGroups++;
        }

        validation.Sort();
        var held = new HashSet<int>(validation);
        var train = Enumerable.Range(0, groupKeys.Count).Where(i => !held.Contains(i)).ToArray();
        return new PreferenceSplit(train, validation.ToArray());
    }
}
