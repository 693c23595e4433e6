using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

/// <summary>The rules of <see cref="AssignmentPolicy.PickNext"/> on small hand-made candidate lists.</summary>
public class AssignmentPolicyTests
{
    private static AssignmentCandidate Regular(long id, int votes, int openLeases = 0, int required = 3) =>
        new(id, ProjectId: 1, votes, openLeases, required, IsGold: false);

    private static AssignmentCandidate Gold(long id, int votes = 0) =>
        new(id, ProjectId: 1, votes, OpenLeases: 0, RequiredVotes: 3, IsGold: true);

    [Fact]
    public void No_candidates_gives_null() =>
        Assert.Null(AssignmentPolicy.PickNext([], 0.05, new Random(1)));

    [Fact]
    public void A_comparison_whose_votes_and_open_leases_reach_k_is_never_served()
    {
        AssignmentCandidate[] candidates = [Regular(1, votes: 3), Regular(2, votes: 2, openLeases: 1), Regular(3, votes: 1, openLeases: 3)];
        Assert.Null(AssignmentPolicy.PickNext(candidates, 0.05, new Random(1)));
    }

    [Fact]
    public void The_comparison_with_the_fewest_votes_plus_leases_comes_first()
    {
        AssignmentCandidate[] candidates = [Regular(1, votes: 1), Regular(2, votes: 0, openLeases: 2), Regular(3, votes: 0), Regular(4, votes: 2)];
        for (var seed = 0; seed < 20; seed++)
            Assert.Equal(3, AssignmentPolicy.PickNext(candidates, 0, new Random(seed))!.ComparisonId);
    }

    [Fact]
    public void A_full_comparison_is_passed_over_for_a_fuller_but_open_one()
    {
        AssignmentCandidate[] candidates = [Regular(1, votes: 2, openLeases: 1), Regular(2, votes: 2)];
        Assert.Equal(2, AssignmentPolicy.PickNext(candidates, 0, new Random(1))!.ComparisonId);
    }

    [Fact]
    public void Equal_coverage_prefers_fewer_submitted_votes()
    {
        AssignmentCandidate[] candidates = [Regular(1, votes: 2, required: 5), Regular(2, votes: 1, openLeases: 1, required: 5)];
        for (var seed = 0; seed < 20; seed++)
            Assert.Equal(2, AssignmentPolicy.PickNext(candidates, 0, new Random(seed))!.ComparisonId);
    }

    [Fact]
    public void Remaining_ties_are_broken_at_random()
    {
        AssignmentCandidate[] candidates = [Regular(1, votes: 1), Regular(2, votes: 1), Regular(3, votes: 1), Regular(4, votes: 2)];
        var random = new Random(42);
        var seen = new HashSet<long>();
        for (var i = 0; i < 300; i++)
            seen.Add(AssignmentPolicy.PickNext(candidates, 0, random)!.ComparisonId);
        Assert.Equal([1L, 2L, 3L], seen.Order());
    }

    [Fact]
    public void A_comparison_extended_by_adaptive_overlap_is_served_past_k()
    {
        AssignmentCandidate[] candidates = [Regular(1, votes: 3, required: 5)];
        Assert.Equal(1, AssignmentPolicy.PickNext(candidates, 0, new Random(1))!.ComparisonId);
    }

    [Fact]
    public void Gold_is_served_when_nothing_regular_is_left_even_at_gold_rate_zero()
    {
        AssignmentCandidate[] candidates = [Regular(1, votes: 3), Gold(2)];
        Assert.Equal(2, AssignmentPolicy.PickNext(candidates, 0, new Random(1))!.ComparisonId);
    }

    [Fact]
    public void Gold_is_exempt_from_the_cap()
    {
        AssignmentCandidate[] candidates = [Gold(7, votes: 40)];
        Assert.Equal(7, AssignmentPolicy.PickNext(candidates, 1, new Random(1))!.ComparisonId);
    }

    [Fact]
    public void Gold_rate_one_always_serves_gold_and_zero_never_while_regular_work_remains()
    {
        AssignmentCandidate[] candidates = [Regular(1, votes: 0), Regular(2, votes: 1), Gold(3), Gold(4)];
        var random = new Random(3);
        for (var i = 0; i < 200; i++)
        {
            Assert.True(AssignmentPolicy.PickNext(candidates, 1, random)!.IsGold);
            Assert.False(AssignmentPolicy.PickNext(candidates, 0, random)!.IsGold);
        }
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void A_gold_rate_outside_zero_to_one_is_rejected(double goldRate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => AssignmentPolicy.PickNext([Regular(1, 0)], goldRate, new Random(1)));
}
