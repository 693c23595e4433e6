using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Demonstrations;
using Rlhf.Data.Audit;
using Rlhf.Data.Exchange;
using Rlhf.Data.Tests.Demonstrations;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests.Exchange;

/// <summary>A demonstration project's export as TRL SFT data: both forms, exact bytes, and only accepted ones when review is on.</summary>
public class SftExportTests
{
    private static readonly AuditActor Researcher = new(null, "platform");

    /// <summary>One rater writes a reply to each prompt (a plain one and a conversation); returns the demonstration ids in prompt order.</summary>
    private static async Task<(int ProjectId, List<long> Ids)> WrittenAsync(TestDatabase database, bool review)
    {
        var (projectId, pool, _) = await DemonstrationFixture.ProjectAsync(database, 2, k: 1, review: review, lastIsConversation: true);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var service = DemonstrationFixture.Service(database);
        while (await service.NextAsync(rater) is { } task)
            Assert.True((await service.SubmitAsync(rater, task.AssignmentId, task.Conversation is null ? "Forty-two, \"exactly\"." : "Blue.")).Succeeded);
        await using var db = await RatingFixture.ContextAsync(database);
        return (projectId, await db.Demonstrations.OrderBy(d => d.PromptId).Select(d => d.Id).ToListAsync()); // the plain prompt's, then the conversation's
    }

    private static async Task<string> ExportAsync(TestDatabase database, int projectId, SftExportFormat format)
    {
        using var output = new MemoryStream();
        await database.Services.GetRequiredService<SftExport>().WriteAsync(projectId, format, output, Researcher);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public async Task Without_review_every_demonstration_is_exported_as_prompt_completion_and_as_messages()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (projectId, ids) = await WrittenAsync(database, review: false);
        Assert.Equal(2, ids.Count);

        Assert.Equal(
            """{"prompt":"Question 0?","completion":"Forty-two, \"exactly\"."}""" + "\n" +
            """{"prompt":[{"role":"system","content":"Be brief."},{"role":"user","content":"Name a colour."}],"completion":[{"role":"assistant","content":"Blue."}]}""" + "\n",
            await ExportAsync(database, projectId, SftExportFormat.PromptCompletion));
        Assert.Equal(
            """{"messages":[{"role":"user","content":"Question 0?"},{"role":"assistant","content":"Forty-two, \"exactly\"."}]}""" + "\n" +
            """{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Name a colour."},{"role":"assistant","content":"Blue."}]}""" + "\n",
            await ExportAsync(database, projectId, SftExportFormat.Messages));
    }

    [Fact]
    public async Task With_review_on_only_accepted_demonstrations_are_exported_and_reviews_are_audited()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (projectId, ids) = await WrittenAsync(database, review: true);
        var reviews = DemonstrationFixture.Reviews(database);
        Assert.Equal("", await ExportAsync(database, projectId, SftExportFormat.Messages)); // none reviewed yet

        // A reason is needed to reject; the refused review changes nothing.
        Assert.Equal("Say why: a reason is needed for 'needs work' and 'reject'.", await reviews.ReviewAsync(ids[0], DemonstrationVerdict.Rejected, " ", Researcher));
        Assert.Null(await reviews.ReviewAsync(ids[1], DemonstrationVerdict.Accepted, null, Researcher));
        Assert.Equal(
            """{"prompt":[{"role":"system","content":"Be brief."},{"role":"user","content":"Name a colour."}],"completion":[{"role":"assistant","content":"Blue."}]}""" + "\n",
            await ExportAsync(database, projectId, SftExportFormat.PromptCompletion));

        Assert.Null(await reviews.ReviewAsync(ids[0], DemonstrationVerdict.NeedsWork, "Say which number.", Researcher));
        Assert.Null(await reviews.ReviewAsync(ids[1], DemonstrationVerdict.Rejected, "Too short.", Researcher));
        Assert.Equal("", await ExportAsync(database, projectId, SftExportFormat.PromptCompletion));

        await using var db = await RatingFixture.ContextAsync(database);
        var audit = await db.AuditEvents.Where(e => e.Action == "demonstration.reviewed").OrderBy(e => e.Id).Select(e => e.Details).ToListAsync();
        Assert.Equal([$"demonstration {ids[1]}: Accepted", $"demonstration {ids[0]}: NeedsWork (Say which number.)", $"demonstration {ids[1]}: Rejected (Too short.)"], audit);
    }
}
