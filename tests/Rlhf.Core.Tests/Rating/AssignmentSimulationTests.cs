using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

/// <summary>
/// Property-style checks of <see cref="AssignmentPolicy"/> with <see cref="AdaptiveOverlap"/>: many raters draw,
/// vote, skip and let leases expire in a seeded random order, and the cap must hold at every step.
/// </summary>
public class AssignmentSimulationTests
{
    private const int K = 3;
    private const double Threshold = 0.34;

    private sealed class Item(long id, bool isGold)
    {
        public long Id { get; } = id;
        public bool IsGold { get; } = isGold;
        public List<int> Strengths { get; } = [];
        public HashSet<int> Voters { get; } = [];
        public int Required(int extraRaters) => AdaptiveOverlap.RequiredVotes(K, extraRaters, Threshold, Strengths);
    }

    [Theory]
    [InlineData(0, 11)]
    [InlineData(2, 12)]
    [InlineData(2, 13)]
    public void Many_raters_never_push_a_regular_comparison_past_its_required_votes(int extraRaters, int seed)
    {
        var random = new Random(seed);
        var items = Enumerable.Range(1, 40).Select(i => new Item(i, isGold: false))
            .Concat(Enumerable.Range(41, 4).Select(i => new Item(i, isGold: true))).ToList();
        const int raters = 60;
        var done = new HashSet<(int Rater, long Item)>();   // rated or skipped
        var leases = new List<(int Rater, Item Item)>();

        void CheckCap()
        {
            foreach (var item in items.Where(i => !i.IsGold))
                Assert.True(item.Strengths.Count + leases.Count(l => l.Item == item) <= item.Required(extraRaters));
        }

        AssignmentCandidate? Ask(int rater) =>
            AssignmentPolicy.PickNext(
                items.Where(i => !done.Contains((rater, i.Id)))
                    .Select(i => new AssignmentCandidate(i.Id, 1, i.Strengths.Count, leases.Count(l => l.Item == i),
                        i.Required(extraRaters), i.IsGold))
                    .ToList(),
                0.05, random);

        void Resolve()
        {
            var at = random.Next(leases.Count);
            var (rater, item) = leases[at];
            leases.RemoveAt(at);
            var outcome = random.NextDouble();
            if (outcome < 0.15)
                return; // the lease expired: the comparison returns to the pool
            done.Add((rater, item.Id));
            if (outcome < 0.2)
                return; // skipped
            Assert.True(item.Voters.Add(rater), "a rater voted twice on one comparison");
            item.Strengths.Add(random.Next(-2, 3));
        }

        for (var step = 0; step < 100_000; step++)
        {
            if (leases.Count > 0 && random.NextDouble() < 0.5)
            {
                Resolve();
                CheckCap();
                continue;
            }
            var idle = Enumerable.Range(0, raters).Where(r => leases.All(l => l.Rater != r)).ToList();
            var rater = idle[random.Next(idle.Count)];
            var pick = Ask(rater);
            if (pick is not null)
            {
                leases.Add((rater, items.Single(i => i.Id == pick.ComparisonId)));
                CheckCap();
            }
            else if (leases.Count == 0 && idle.All(r => Ask(r) is null))
            {
                break;
            }
        }

        Assert.Empty(leases);
        foreach (var item in items.Where(i => !i.IsGold))
        {
            Assert.Equal(item.Required(extraRaters), item.Strengths.Count); // full, never over
            Assert.True(item.Strengths.Count <= K + extraRaters);
        }
        if (extraRaters > 0)
            Assert.Contains(items, i => !i.IsGold && i.Strengths.Count == K + extraRaters);
        Assert.All(items.Where(i => i.IsGold), g => Assert.True(g.Strengths.Count > K + extraRaters)); // gold is exempt
    }

    [Fact]
    public void Gold_is_served_at_the_gold_rate_while_gold_is_available()
    {
        var candidates = Enumerable.Range(1, 10).Select(i => new AssignmentCandidate(i, 1, i % 3, 0, 3, false))
            .Concat(Enumerable.Range(11, 3).Select(i => new AssignmentCandidate(i, 1, 0, 0, 3, true))).ToList();
        var random = new Random(2024);
        const int draws = 10_000;
        var gold = 0;
        for (var i = 0; i < draws; i++)
        {
            if (AssignmentPolicy.PickNext(candidates, 0.05, random)!.IsGold)
                gold++;
        }
        var share = (double)gold / draws;
        Assert.InRange(share, 0.035, 0.065);
    }
}
