using System.CommandLine;
using System.Text.Json;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Dpo;
using Rlhf.Training.Text;

namespace Rlhf.Cli.Commands;

/// <summary>
/// `rlhf dpo --policy DIR --data FILE.jsonl | --project ID --out DIR [--reference DIR] [--beta 0.1] [--loss sigmoid|ipo]
/// [--label-smoothing X] [--epochs N] [--lr X] [--batch-pairs N] [--max-length N] [--truncation-mode keep_start|keep_end]
/// [--checkpoint DIR] [--seed S] [--method ... (how a project's votes become pairs, as `rlhf export`)]`: a DPO run without
/// the site. Prints metrics as JSON lines (TRL's names), each skipped pair as one line on stderr, and writes the policy in
/// the Hugging Face layout with its tokenizer files. Exit codes: 0 ok, 1 data/model error, 2 bad options.
/// </summary>
internal static class DpoCommand
{
    public static Command Create()
    {
        var d = new DpoConfig();
        var policyModel = new Option<DirectoryInfo>("--policy") { Description = "Policy checkpoint folder (GPT-2, Llama, Qwen2 or Qwen3).", Required = true };
        var reference = new Option<DirectoryInfo>("--reference") { Description = "Frozen reference folder (default: the policy's starting checkpoint)." };
        var data = new Option<FileInfo>("--data") { Description = "A TRL preference JSONL file ({\"prompt\",\"chosen\",\"rejected\"}, plain or conversational)." };
        var project = new Option<int?>("--project") { Description = "Train on a project's votes (from the configured database) instead." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write the fine-tuned policy (HF layout) or, with --lora-r, the adapter (PEFT layout; `rlhf models merge` makes full weights).", Required = true };
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "Resumable checkpoint folder; an existing checkpoint there is resumed." };
        var beta = new Option<double>("--beta") { DefaultValueFactory = _ => d.Beta };
        var loss = new Option<string>("--loss") { DefaultValueFactory = _ => d.LossType, Description = "sigmoid (DPO) or ipo." };
        var labelSmoothing = new Option<double>("--label-smoothing") { DefaultValueFactory = _ => d.LabelSmoothing, Description = "cDPO's assumed share of flipped labels." };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => d.Epochs };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => d.LearningRate };
        var batchPairs = new Option<int>("--batch-pairs") { DefaultValueFactory = _ => d.BatchPairs };
        var maxLength = new Option<int>("--max-length") { DefaultValueFactory = _ => d.MaxLength };
        var maxPromptLength = new Option<int?>("--max-prompt-length");
        var maxCompletionLength = new Option<int?>("--max-completion-length");
        var truncation = new Option<string>("--truncation-mode") { DefaultValueFactory = _ => d.TruncationMode };
        var warmup = new Option<double>("--warmup-ratio") { DefaultValueFactory = _ => d.WarmupRatio };
        var validation = new Option<double>("--validation-fraction") { DefaultValueFactory = _ => d.ValidationFraction };
        var evalEvery = new Option<int>("--eval-every") { DefaultValueFactory = _ => d.EvalEvery };
        var checkpointEvery = new Option<int>("--checkpoint-every") { DefaultValueFactory = _ => d.CheckpointEvery };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => d.Seed };
        var policyOptions = new PreferencePolicyOptions();

        var loraOptions = new LoraOptions();

        var command = new Command("dpo", "Fine-tune a policy on preference pairs with Direct Preference Optimization.")
        {
            policyModel, reference, data, project, output, checkpoint, beta, loss, labelSmoothing, epochs, lr, batchPairs, maxLength, maxPromptLength,
            maxCompletionLength, truncation, warmup, validation, evalEvery, checkpointEvery, seed,
        };
        loraOptions.AddTo(command);
        policyOptions.AddTo(command);
        command.SetAction((parseResult, ct) => CliErrors.RunAsync(parseResult, async stdout =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var file = parseResult.GetValue(data);
            var projectId = parseResult.GetValue(project);
            if (!await PreferenceSource.ExactlyOneAsync(file, projectId, error)) return 2;
            var lora = loraOptions.Read(parseResult, out var loraProblem);
            if (loraProblem is not null) { await error.WriteLineAsync($"rlhf: {loraProblem}"); return 2; }
            var config = new DpoConfig
            {
                Beta = parseResult.GetValue(beta), LossType = parseResult.GetValue(loss)!, LabelSmoothing = parseResult.GetValue(labelSmoothing),
                Epochs = parseResult.GetValue(epochs), LearningRate = parseResult.GetValue(lr), BatchPairs = parseResult.GetValue(batchPairs),
                MaxLength = parseResult.GetValue(maxLength), MaxPromptLength = parseResult.GetValue(maxPromptLength),
                MaxCompletionLength = parseResult.GetValue(maxCompletionLength), TruncationMode = parseResult.GetValue(truncation)!,
                WarmupRatio = parseResult.GetValue(warmup), ValidationFraction = parseResult.GetValue(validation), EvalEvery = parseResult.GetValue(evalEvery),
                CheckpointEvery = parseResult.GetValue(checkpointEvery), Seed = parseResult.GetValue(seed),
                Lora = lora,
            };
            var policy = policyOptions.Read(parseResult);
            if (!await PreferenceSource.OptionsFitAsync(parseResult, file, projectId, policyOptions, policy, config.Validate(), error)) return 2;

            if (await PreferenceSource.LoadAsync(file, projectId, policy, error, ct) is not { } loaded) return 1;
            var outFolder = parseResult.GetValue(output)!.FullName;
            try
            {
                var result = new DpoTrainer(config).Train(parseResult.GetValue(policyModel)!.FullName, parseResult.GetValue(reference)?.FullName, loaded.Pairs,
                    outFolder, parseResult.GetValue(checkpoint)?.FullName, m => stdout.WriteLine(MetricsLine.Of(m.Step, m.Values)), ct);
                foreach (var s in result.Skipped) await error.WriteLineAsync($"rlhf: {loaded.Where(s.PairIndex)}: skipped, {s.Reason}");
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>(result.FinalValidation.Select(kv => KeyValuePair.Create(kv.Key, (object)kv.Value)))
                {
                    ["done"] = true, ["steps"] = result.Steps, ["train_pairs"] = result.TrainPairs, ["validation_pairs"] = result.ValidationPairs,
                    ["skipped_pairs"] = result.Skipped.Count, ["out"] = outFolder,
                }));
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or CheckpointException or CheckpointMismatchException or TokenizerException or InvalidDataException)
            {
                await error.WriteLineAsync($"rlhf: {ex.Message}");
                return 1;
            }
        }));
        return command;
    }
}
