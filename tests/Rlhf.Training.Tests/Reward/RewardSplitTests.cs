using Rlhf.Training.Reward;

namespace Rlhf.Training.Tests.Reward;

public class RewardSplitTests
{
    [Fact]
    public void No_group_is_on_both_sides_and_every_pair_is_used_once()
    {
        var pairs = RewardTestData.Pairs(pairsPerPrompt: 3, seed: 1);   // 36 groups of 3
        var split = PreferenceSplit.Create(pairs, 0.2, seed: 9);
        var trainGroups = split.Train.Select(i => pairs[i].Group).ToHashSet();
        var validationGroups = split.Validation.Select(i => pairs[i].Group).ToHashSet();
        Assert.Empty(trainGroups.Intersect(validationGroups));
        Assert.Equal(Enumerable.Range(0, pairs.Count), split.Train.Concat(split.Validation).Order());
        Assert.InRange(split.Validation.Count, 21, 24);   // round(0.2 * 108) = 22, whole groups of 3
        Assert.Equal(split.Validation.Order(), split.Validation);

        Assert.Equal(split, PreferenceSplit.Create(pairs, 0.2, seed: 9), SplitComparer.Instance);
        Assert.NotEqual(split.Validation, PreferenceSplit.Create(pairs, 0.2, seed: 10).Validation);
    }

    [Fact]
    public void An_empty_group_falls_back_to_the_prompt()
    {
        var pairs = new List<PreferencePair>();
        for (var p = 0; p < 10; p++)
        for (var k = 0; k < 4; k++)
            pairs.Add(new PreferencePair($"prompt {p}", $"good {k}", $"bad {k}"));
        var split = PreferenceSplit.Create(pairs, 0.3, seed: 1);
        Assert.Empty(split.Train.Select(i => pairs[i].Prompt).Intersect(split.Validation.Select(i => pairs[i].Prompt)));
        Assert.Equal(12, split.Validation.Count);
    }

    [Fact]
    public void Fraction_zero_or_a_single_group_gives_no_validation()
    {
        var pairs = RewardTestData.Pairs(2, 1);
        Assert.Empty(PreferenceSplit.Create(pairs, 0, 1).Validation);
        var one = pairs.Select(p => p with { Group = "same" }).ToList();
        var split = PreferenceSplit.Create(one, 0.5, 1);
        Assert.Empty(split.Validation);
        Assert.Equal(one.Count, split.Train.Count);
    }

    private sealed class SplitComparer : IEqualityComparer<PreferenceSplit>
    {
        public static readonly SplitComparer Instance = new();
        public bool Equals(PreferenceSplit? x, PreferenceSplit? y) => x!.Train.SequenceEqual(y!.Train) && x.Validation.SequenceEqual(y.Validation);
        public int GetHashCode(PreferenceSplit obj) => obj.Train.Count;
    }
}
