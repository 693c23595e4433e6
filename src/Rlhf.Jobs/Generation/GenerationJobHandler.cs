using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Data;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
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

        var total = prompts.Count * models.Count;
        var done = 0;
        await context.LogAsync($"Generating {request.ResponsesPerPrompt} responses for {prompts.Count} prompts from {string.Join(" and ", models.Select(m => m.Name))}.", ct: ct);

        foreach (var (model, modelIndex) in models.Select((m, i) => (m, i)))
        {
            var (lm, tokenizer) = LoadModel(model);
            using var owned = lm;
            lm.ComputeDtype = ComputePrecision.Parse(request.ComputeDtype);   // bf16: weights cast once (frozen), norms and sampling float32
            await context.LogAsync($"{model.Name}: matmuls in {ComputePrecision.Name(lm.ComputeDtype)}.", ct: ct);   // as the model has it
            // Every row stops at any of the model's eos ids (Qwen: <|im_end|>), padded with the model's pad id.
            var config = new GenerationConfig
            {
                MaxNewTokens = request.MaxNewTokens,
                Temperature = request.Temperature,
                TopP = request.TopP,
                TopK = request.TopK,
                EosTokenId = lm.EosTokenIds.FirstOrDefault(lm.PadTokenId),
                EosTokenIds = lm.EosTokenIds,
                PadTokenId = lm.PadTokenId,
            };
            var source = $"model:{model.Name}";
            for (var start = 0; start < prompts.Count; start += request.PromptsPerBatch)
            {
                ct.ThrowIfCancellationRequested();
                var batch = prompts.Skip(start).Take(request.PromptsPerBatch).ToList();
                var todo = await PromptsMissingResponsesAsync(batch, model.Id, request.ResponsesPerPrompt, ct);
                if (todo.Count > 0)
                {
                    var rendered = todo.Select(p => (IReadOnlyList<int>)Render(tokenizer, model, p)).ToList();
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
                        var text = ReplyText(tokenizer, generated[r], config.StopIds);
                        // A row that ended is padded after its stop token; one without any ran into MaxNewTokens.
                        var cutOff = !generated[r].Any(config.StopIds.Contains);
                        db.Responses.Add(new Response { PromptId = todo[rows[r]].Id, Text = text, Source = source, ModelId = model.Id, CutOff = cutOff, CreatedAtUtc = now });
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

    /// <summary>The prompt's conversation (a plain prompt is one user message) in the model's chat template, with the generation cue.</summary>
    private static int[] Render(ModelTokenizer tokenizer, Rlhf.Core.Registry.Model model, Prompt prompt)
    {
        var messages = prompt.MessagesJson is null
            ? [ChatMessage.FromUser(prompt.Text)]
            : JsonSerializer.Deserialize<List<ChatMessage>>(prompt.MessagesJson, JobQueue.Json) ?? [];
        try { return ChatPrompts.EncodePrompt(tokenizer, messages); }
        catch (TokenizerException ex) { throw new JobFailedException($"Model {model.Name}: {ex.Message}"); }
    }

    /// <summary>The reply as shown to raters: the tokens before the first stop token, decoded with the model's tokenizer, trimmed.</summary>
    public static string ReplyText(ModelTokenizer tokenizer, IReadOnlyList<int> tokens, IReadOnlyList<int> stopIds)
    {
        var end = 0;
        while (end < tokens.Count && !stopIds.Contains(tokens[end])) end++;
        return tokenizer.Tokenizer.Decode(tokens.Take(end)).Trim();
    }

    private (ICausalLanguageModel Model, ModelTokenizer Tokenizer) LoadModel(Rlhf.Core.Registry.Model model)
    {
        var folder = registry.FolderOf(model);
        ICausalLanguageModel? lm = null;
        try
        {
            lm = ModelLoader.LoadLanguageModel(folder);
            lm.Module.eval();
            return (lm, ModelTokenizers.LoadRenderable(folder, lm.VocabSize));
        }
        catch (CheckpointException ex)
        {
            lm?.Dispose();
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
