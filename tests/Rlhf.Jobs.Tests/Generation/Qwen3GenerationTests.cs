using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Core.Registry;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Generation;
using Rlhf.Jobs.Registry;
using Rlhf.Training;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Sampling;
using Rlhf.Training.Text;
using TorchSharp;

namespace Rlhf.Jobs.Tests.Generation;

/// <summary>A generation job on a Qwen3-shaped model: prompts in Qwen3's chat template, replies end at &lt;|im_end|&gt;, which is not shown.</summary>
public class Qwen3GenerationTests
{
    private const int MaxNewTokens = 32;

    [Fact]
    public async Task A_generation_job_on_a_Qwen3_model_stops_at_im_end_and_shows_the_reply_without_it()
    {
        await using var h = await JobsHarness.CreateAsync();
        var source = TinyChatModels.Qwen3(Path.Combine(h.Folder, "qwen3-src"), seed: 5, likelyToken: TinyChatModels.Qwen3ImEnd);
        var imported = await h.InScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ImportAsync(source, "qwen3-tiny", ModelKind.Base, null, "import", null, "", null));
        Assert.True(imported.Succeeded, imported.Error);
        var project = await h.ProjectWithPromptsAsync("My order is late.", "How do I reset my password?");
        var job = await h.Queue.EnqueueAsync(GenerationJobHandler.JobKind,
            new GenerationRequest { ProjectId = project, ModelIds = [imported.Model!.Id], ResponsesPerPrompt = 4, MaxNewTokens = MaxNewTokens, Temperature = 1.0, Seed = 11 }, null);

        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        var done = (await h.Queue.GetAsync(job.Id))!;
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);
        await using var db = await h.DbAsync();
        var replies = await db.Responses.Select(r => r.Text).ToListAsync();
        Assert.Equal(8, replies.Count);
        Assert.All(replies, r => Assert.DoesNotContain("<|im_end|>", r));
        Assert.All(replies, r => Assert.DoesNotContain("<|im_start|>", r));
        Assert.Contains(replies, r => r.Length > 0);
        Assert.False(await db.Responses.AnyAsync(r => r.CutOff));   // every reply ended at <|im_end|>: none is marked as cut off

        // The same sampling the job does, on the registered copy: every row ended at <|im_end|> well before the limit.
        var folder = Path.Combine(h.Services.GetRequiredService<RlhfPaths>().DataFolder, imported.Model.Folder);
        TorchThreads.EnsureConfigured();
        using var lm = ModelLoader.LoadLanguageModel(folder);
        Assert.Equal([TinyChatModels.Qwen3ImEnd, TinyChatModels.Qwen3EndOfText], lm.EosTokenIds);
        var tokenizer = ModelTokenizer.Load(folder);
        var prompt = ChatPrompts.EncodePrompt(tokenizer, "My order is late.");
        Assert.Equal("<|im_start|>user\nMy order is late.<|im_end|>\n<|im_start|>assistant\n", tokenizer.Tokenizer.Decode(prompt));
        var config = new GenerationConfig { MaxNewTokens = MaxNewTokens, Temperature = 1.0, EosTokenIds = lm.EosTokenIds, PadTokenId = lm.PadTokenId };
        using var generator = new torch.Generator(11);
        using var result = Sampler.Generate(lm, Enumerable.Repeat((IReadOnlyList<int>)prompt, 8).ToList(), config, generator);
        var rows = result.TokenRows();
        Assert.All(rows, row => Assert.Equal(TinyChatModels.Qwen3ImEnd, row[^1]));
        Assert.All(rows, row => Assert.True(row.Length < MaxNewTokens));
        Assert.All(rows, row => Assert.Equal(tokenizer.Tokenizer.Decode(row[..^1]).Trim(), GenerationJobHandler.ReplyText(tokenizer, row, lm.EosTokenIds)));
    }
}
