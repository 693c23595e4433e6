using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Demonstrations;
using Rlhf.Data.Audit;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests.Demonstrations;

/// <summary>Other raters of the pools review demonstrations: never their own, and a reviewed one leaves the queue.</summary>
public class DemonstrationReviewServiceTests
{
    [Fact]
    public async Task A_rater_reviews_another_raters_demonstration_but_never_their_own()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (projectId, pool, _) = await DemonstrationFixture.ProjectAsync(database, 1, k: 1, review: true);
        var raters = await RatingFixture.RatersAsync(database, pool, 2);
        var (writer, reviewer) = (raters[0], raters[1]);
        var service = DemonstrationFixture.Service(database);
        var task = (await service.NextAsync(writer))!;
        var id = (await service.SubmitAsync(writer, task.AssignmentId, "A reply.")).VoteId!.Value;
        var reviews = DemonstrationFixture.Reviews(database);

        Assert.Null(await reviews.NextToReviewAsync(writer));
        var next = await reviews.NextToReviewAsync(reviewer);
        Assert.Equal(((long?)id, "A reply."), (next?.Id, next?.Text));
        Assert.Equal("You cannot review your own demonstration.", await reviews.ReviewAsync(id, DemonstrationVerdict.Accepted, null, new AuditActor(writer, "writer")));
        Assert.Null(await reviews.ReviewAsync(id, DemonstrationVerdict.Accepted, null, new AuditActor(reviewer, "reviewer")));
        Assert.Null(await reviews.NextToReviewAsync(reviewer));

        await using var db = await RatingFixture.ContextAsync(database);
        var stored = await db.Demonstrations.SingleAsync(d => d.ProjectId == projectId);
        Assert.Equal((DemonstrationVerdict.Accepted, reviewer), (stored.Verdict, stored.ReviewedById));
    }
}
