using System.CommandLine;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data;
using Rlhf.Data.Database;
using Rlhf.Jobs.Training;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Sft;
using Rlhf.Training.Text;

namespace Rlhf.Cli.Commands;

/// <summary>
/// `rlhf sft --base DIR --data FILE.jsonl | --project ID --out DIR [--epochs N] [--lr X] [--batch-size N] [--max-length N]
/// [--packing] [--lora-r R --lora-alpha A --lora-dropout P --lora-targets q_proj,v_proj] [--checkpoint DIR] [--seed S] ...`:
/// the SFT run without the site. The data is a TRL SFT file, the chosen side of a TRL preference file, or (--project) the
/// chosen side of the project's preference export under the same options as `rlhf export`. Prints metrics as JSON lines
/// (TRL's names) and writes the model (HF layout) or, with --lora-r, the adapter (PEFT layout; `rlhf models merge` makes a
/// full model of it).
/// </summary>
internal static class SftCommand
{
    public static Command Create()
    {
        var data = new Option<FileInfo>("--data") { Description = "TRL SFT data ({\"prompt\",\"completion\"} or {\"messages\"}), or a TRL preference file (its chosen side)." };
        var project = new Option<int?>("--project") { Description = "Train on a project (from the configured database) instead: a demonstration project's demonstrations (accepted ones when it reviews them), or the chosen side of a comparison project's preference pairs." };
        var baseModel = new Option<DirectoryInfo>("--base") { Description = "Base model folder (GPT-2, Llama, Qwen2, Qwen3; HF layout).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write the model (HF layout) or the adapter (PEFT layout).", Required = true };
        var checkpoint = new Option<DirectoryInfo?>("--checkpoint") { Description = "A folder for resumable checkpoints; a run resumes from the one it holds." };
        var d = new SftConfig();
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => d.Epochs };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => d.LearningRate };
        var batchSize = new Option<int>("--batch-size") { DefaultValueFactory = _ => d.BatchSize };
        var maxLength = new Option<int>("--max-length") { DefaultValueFactory = _ => d.MaxLength };
        var packing = new Option<bool>("--packing") { Description = "Pack several examples into each row of --max-length tokens." };
        var warmup = new Option<double>("--warmup-ratio") { DefaultValueFactory = _ => d.WarmupRatio };
        var weightDecay = new Option<double>("--weight-decay") { DefaultValueFactory = _ => d.WeightDecay };
        var validation = new Option<double>("--validation-fraction") { DefaultValueFactory = _ => d.ValidationFraction };
        var evalEvery = new Option<int>("--eval-every") { DefaultValueFactory = _ => d.EvalEvery };
        var sampleEvery = new Option<int>("--sample-every") { DefaultValueFactory = _ => d.SampleEvery };
        var checkpointEvery = new Option<int>("--checkpoint-every") { DefaultValueFactory = _ => d.CheckpointEvery };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => d.Seed };
        var loraOptions = new LoraOptions();
        var policyOptions = new PreferencePolicyOptions();

        var command = new Command("sft", "Supervised fine-tuning on demonstrations (loss on the replies only), optionally as a LoRA adapter.")
        {
            data, project, baseModel, output, checkpoint, epochs, lr, batchSize, maxLength, packing, warmup, weightDecay, validation, evalEvery,
            sampleEvery, checkpointEvery, seed,
        };
        loraOptions.AddTo(command);
        policyOptions.AddTo(command);
        command.SetAction((parseResult, ct) => CliErrors.RunAsync(parseResult, async stdout =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var file = parseResult.GetValue(data);
            var projectId = parseResult.GetValue(project);
            if (file is null == projectId is null)
            {
                await error.WriteLineAsync("rlhf: give exactly one of --data FILE.jsonl or --project ID");
                return 2;
            }
            var lora = loraOptions.Read(parseResult, out var loraProblem);
            if (loraProblem is not null) { await error.WriteLineAsync($"rlhf: {loraProblem}"); return 2; }
            var config = new SftConfig
            {
                Epochs = parseResult.GetValue(epochs), LearningRate = parseResult.GetValue(lr), BatchSize = parseResult.GetValue(batchSize),
                MaxLength = parseResult.GetValue(maxLength), Packing = parseResult.GetValue(packing), WarmupRatio = parseResult.GetValue(warmup),
                WeightDecay = parseResult.GetValue(weightDecay), ValidationFraction = parseResult.GetValue(validation),
                EvalEvery = parseResult.GetValue(evalEvery), SampleEvery = parseResult.GetValue(sampleEvery),
                CheckpointEvery = parseResult.GetValue(checkpointEvery), Seed = parseResult.GetValue(seed),
                Lora = lora,
            };
            var policy = policyOptions.Read(parseResult);
            if (file is not null && policyOptions.Given(parseResult) is { Count: > 0 } given)
            {
                await error.WriteLineAsync($"rlhf: {string.Join(", ", given)} choose how a project's votes become pairs; they go with --project, not --data");
                return 2;
            }
            if (config.Validate().Concat(projectId is null ? [] : policy.Validate()).ToList() is { Count: > 0 } problems)
            {
                foreach (var p in problems) await error.WriteLineAsync($"rlhf: {p}");
                return 2;
            }

            IReadOnlyList<SftExample> examples;
            try
            {
                if (file is not null) examples = await SftData.FromFileAsync(file.FullName, ct);
                else
                {
                    using var host = CliHost.Create();
                    await using var scope = host.Services.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(ct);
                    await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync(ct);
                    if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct)) { await error.WriteLineAsync($"rlhf: project {projectId} does not exist"); return 1; }
                    examples = await SftData.FromProjectAsync(db, projectId!.Value, policy, ct);
                    if (examples.Count == 0) { await error.WriteLineAsync($"rlhf: project {projectId} has no demonstrations that count, or no preference pairs under these options"); return 1; }
                }
            }
            catch (SftDataException ex) { return await Report(error, file?.Name, ex.Problems); }
            catch (FormatException ex) { await error.WriteLineAsync($"rlhf: {file?.Name}: {ex.Message}"); return 1; }
            catch (IOException ex) { await error.WriteLineAsync($"rlhf: {ex.Message}"); return 1; }

            try
            {
                var result = new SftTrainer(config).Train(parseResult.GetValue(baseModel)!.FullName, examples, parseResult.GetValue(output)!.FullName,
                    parseResult.GetValue(checkpoint)?.FullName,
                    m => stdout.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["step"] = m.Step }.Concat(m.Values.Select(kv => KeyValuePair.Create(kv.Key, (object)kv.Value))).ToDictionary())),
                    samples => { foreach (var s in samples) stdout.WriteLine(JsonSerializer.Serialize(new { sample_step = s.Step, prompt = s.Prompt, completion = s.Response, has_eos = s.HasEos })); },
                    ct);
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["done"] = true, ["steps"] = result.Steps, ["train_examples"] = result.TrainExamples, ["validation_examples"] = result.ValidationExamples,
                    ["num_tokens"] = result.NumTokens, ["eval_loss"] = double.IsNaN(result.FinalEvalLoss) ? null : result.FinalEvalLoss,
                    ["adapter"] = result.IsAdapter, ["out"] = parseResult.GetValue(output)!.FullName,
                }));
                return 0;
            }
            catch (SftDataException ex) { return await Report(error, file?.Name, ex.Problems); }
            catch (Exception ex) when (ex is CheckpointException or TokenizerException or ArgumentException or InvalidDataException)
            {
                await error.WriteLineAsync($"rlhf: {ex.Message}");
                return 1;
            }
        }));
        return command;
    }

    /// <summary>One line per bad example, as an import reports them.</summary>
    private static async Task<int> Report(TextWriter error, string? fileName, IReadOnlyList<string> problems)
    {
        foreach (var p in problems) await error.WriteLineAsync($"rlhf: {(fileName is null ? "" : fileName + ": ")}{p}");
        return 1;
    }
}
