using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Data;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Sampling;
using Rlhf.Training.Text;
using TorchSharp;

namespace Rlhf.Jobs.Generation;

/// <summary>
/// Samples responses to a project's prompts from registry models and pairs them into comparisons. Resumable:
/// a prompt that already has its responses from a model is not sampled again, and pairs are never duplicated.
/// </summary>
public sealed class GenerationJobHandler(IDbContextFactory<RlhfDbContext> contexts, ModelRegistry registry, TimeProvider clock) : ResumableJobHandler<GenerationRequest>
{
    public const string JobKind = "generation";
    public override string Kind => JobKind;

    protected override async Task RunAsync(JobContext context, GenerationRequest request, CancellationToken ct)
    {

        List<Prompt> prompts;
        int overlap;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Id == request.ProjectId, ct)
                ?? throw new JobFailedException($"Project {request.ProjectId} does not exist.");
            overlap = project.Overlap;
            prompts = await db.Prompts.AsNoTracking().Where(p => p.ProjectId == request.ProjectId).OrderBy(p => p.Id).ToListAsync(ct);
        }
        if (prompts.Count == 0) throw new JobFailedException($"Project {request.ProjectId} has no prompts to generate for.");

        var models = new List<Rlhf.Core.Registry.Model>();
        foreach (var id in request.ModelIds)
            models.Add(await registry.GetAsync(id, ct) ?? throw new JobFailedException($"Model {id} is not in the registry."));

        var tokenizer = Gpt2Tokenizer.Shared;
        var config = new GenerationConfig
        {
            MaxNewTokens = request.MaxNewTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = request.TopK,
        };
        var total = prompts.Count * models.Count;
        var done = 0;
        await context.LogAsync($"Generating {request.ResponsesPerPrompt} responses for {prompts.Count} prompts from {string.Join(" and ", models.Select(m => m.Name))}.", ct: ct);

        foreach (var (model, modelIndex) in models.Select((m, i) => (m, i)))
        {
            using var lm = LoadModel(model);
            var source = $"model:{model.Name}";
            for (var start = 0; start < prompts.Count; start += request.PromptsPerBatch)
            {
                ct.ThrowIfCancellationRequested();
                var batch = prompts.Skip(start).Take(request.PromptsPerBatch).ToList();
                var todo = await PromptsMissingResponsesAsync(batch, model.Id, request.ResponsesPerPrompt, ct);
                if (todo.Count > 0)
                {
                    var rendered = todo.Select(p => (IReadOnlyList<int>)tokenizer.Encode(Render(p))).ToList();
                    var rows = todo.SelectMany((p, i) => Enumerable.Repeat(i, request.ResponsesPerPrompt)).ToList();
                    var expanded = rows.Select(i => rendered[i]).ToList();
                    // One generator per (model, batch) seeded from the request: resuming gives the same samples.
                    using var generator = new torch.Generator((ulong)(request.Seed + 1_000_003L * modelIndex + start));
                    int[][] generated;
                    using (torch.no_grad())
                    using (var result = Sampler.Generate(lm, expanded, config, generator))
                        generated = result.TokenRows();

                    await using var db = await contexts.CreateDbContextAsync(ct);
                    var now = clock.GetUtcNow().UtcDateTime;
                    for (var r = 0; r < rows.Count; r++)
                    {
                        var text = tokenizer.Decode(generated[r].Where(t => t != tokenizer.EosTokenId)).Trim();
                        db.Responses.Add(new Response { PromptId = todo[rows[r]].Id, Text = text, Source = source, ModelId = model.Id, CreatedAtUtc = now });
                    }
                    await db.SaveChangesAsync(ct);
                }
                done += batch.Count;
                await context.ReportAsync((double)done / total * 0.95, $"{model.Name}: {Math.Min(start + batch.Count, prompts.Count)}/{prompts.Count} prompts", ct);
            }
        }

        var created = await PairAsync(request, prompts, models.Select(m => m.Id).ToList(), overlap, ct);
        await context.LogAsync($"Created {created} comparisons.", ct: ct);
        await context.ReportAsync(1, $"{created} comparisons created", ct);
    }

    private static string Render(Prompt prompt)
    {
        if (prompt.MessagesJson is null) return ConversationTemplate.RenderPrompt(prompt.Text);
        var messages = JsonSerializer.Deserialize<List<ChatMessage>>(prompt.MessagesJson, JobQueue.Json) ?? [];
        return ConversationTemplate.Render(messages);
    }

    private Rlhf.Training.Models.Gpt2LMHeadModel LoadModel(Rlhf.Core.Registry.Model model)
    {
        try
        {
            var lm = Gpt2Checkpoint.LoadLanguageModel(registry.FolderOf(model));
            lm.eval();
            return lm;
        }
        catch (CheckpointException ex)
        {
            throw new JobFailedException($"Model {model.Name} cannot be loaded: {ex.Message}");
        }
    }

    private async Task<List<Prompt>> PromptsMissingResponsesAsync(List<Prompt> batch, int modelId, int wanted, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var ids = batch.Select(p => p.Id).ToList();
        var counts = await db.Responses.Where(r => ids.Contains(r.PromptId) && r.ModelId == modelId)
            .GroupBy(r => r.PromptId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return batch.Where(p => counts.GetValueOrDefault(p.Id) < wanted).ToList();
    }

    /// <summary>Pairs each prompt's responses from these models; returns how many new comparisons were stored.</summary>
    private async Task<int> PairAsync(GenerationRequest request, List<Prompt> prompts, List<int> modelIds, int overlap, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var promptIds = prompts.Select(p => p.Id).ToList();
        var responses = await db.Responses.AsNoTracking()
            .Where(r => promptIds.Contains(r.PromptId) && r.ModelId != null && modelIds.Contains(r.ModelId.Value))
            .OrderBy(r => r.Id).ToListAsync(ct);
        var existing = (await db.Comparisons.AsNoTracking().Where(c => c.ProjectId == request.ProjectId)
            .Select(c => new { c.ResponseAId, c.ResponseBId }).ToListAsync(ct))
            .Select(c => (Math.Min(c.ResponseAId, c.ResponseBId), Math.Max(c.ResponseAId, c.ResponseBId))).ToHashSet();

        var now = clock.GetUtcNow().UtcDateTime;
        var created = 0;
        foreach (var group in responses.GroupBy(r => r.PromptId))
        {
            var byModel = modelIds
                .Select(m => (IReadOnlyList<(long, string)>)group.Where(r => r.ModelId == m).Select(r => (r.Id, r.Text)).ToList())
                .ToList();
            foreach (var (a, b) in ResponsePairing.Pairs(byModel))
            {
                if (!existing.Add((Math.Min(a, b), Math.Max(a, b)))) continue;
                db.Comparisons.Add(new Comparison { ProjectId = request.ProjectId, PromptId = group.Key, ResponseAId = a, ResponseBId = b, RequiredVotes = overlap, CreatedAtUtc = now });
                created++;
            }
        }
        await db.SaveChangesAsync(ct);
        return created;
    }
}
