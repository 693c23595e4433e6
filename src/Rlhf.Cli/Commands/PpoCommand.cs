using System.CommandLine;
using System.Text.Json;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Ppo;

namespace Rlhf.Cli.Commands;

/// <summary>
/// `rlhf ppo --policy DIR --reward DIR --prompts FILE.jsonl | --project ID --out DIR [--steps --batch --minibatches
/// --ppo-epochs --lr --kl-coef --adaptive-kl --target-kl --temperature --response-length --seed ...]`: PPO without the
/// site. Prints metrics as JSON lines (TRL's names) and writes the policy folder.
/// </summary>
internal static class PpoCommand
{
    public static Command Create()
    {
        var d = new PpoConfig();
        var policy = new Option<DirectoryInfo>("--policy") { Description = "Policy checkpoint folder (also the frozen reference).", Required = true };
        var reward = new Option<DirectoryInfo>("--reward") { Description = "Reward model folder (scorer, and the value model's start).", Required = true };
        var prompts = new Option<FileInfo>("--prompts") { Description = "JSONL of {\"prompt\": ...} lines." };
        var project = new Option<int?>("--project") { Description = "Use a project's prompts (from the configured database) instead." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write the fine-tuned policy (HF layout) or, with --lora-r, the adapter (PEFT layout; `rlhf models merge` makes full weights).", Required = true };
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "Resumable checkpoint folder; an existing checkpoint there is resumed." };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => d.Steps };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => d.BatchSize };
        var minibatches = new Option<int>("--minibatches") { DefaultValueFactory = _ => d.MiniBatches };
        var ppoEpochs = new Option<int>("--ppo-epochs") { DefaultValueFactory = _ => d.PpoEpochs };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => d.LearningRate };
        var klCoef = new Option<double>("--kl-coef") { DefaultValueFactory = _ => d.KlCoef };
        var klEstimator = new Option<string>("--kl-estimator") { DefaultValueFactory = _ => d.KlEstimator };
        var adaptiveKl = new Option<bool>("--adaptive-kl");
        var targetKl = new Option<double>("--target-kl") { DefaultValueFactory = _ => d.TargetKl };
        var temperature = new Option<double>("--temperature") { DefaultValueFactory = _ => d.Temperature };
        var responseLength = new Option<int>("--response-length") { DefaultValueFactory = _ => d.ResponseLength };
        var missingEos = new Option<double?>("--missing-eos-penalty");
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => d.Seed };
        var maxGradNorm = new Option<double>("--max-grad-norm")
        { DefaultValueFactory = _ => d.MaxGradNorm, Description = "Clip the policy's and the value model's gradients, each, to this norm; 0 = off." };
        var rewardNormalization = new Option<string>("--reward-normalization")
        { DefaultValueFactory = _ => d.RewardNormalization, Description = $"{PpoConfig.NormalizeOnInitialPolicy}: scores of the initial policy's samples get mean 0, std 1; {PpoConfig.NoNormalization}: raw scores." };

        var computeDtype = new Option<string>("--compute-dtype")
        { DefaultValueFactory = _ => d.ComputeDtype, Description = "Matmul dtype: float32, or bf16 (float32 master weights, norms, softmax and losses)." };
        var loraOptions = new LoraOptions();

        var command = new Command("ppo", "Fine-tune a policy against a reward model with PPO (TRL's algorithm).")
        {
            policy, reward, prompts, project, output, checkpoint, steps, batch, minibatches, ppoEpochs, lr, klCoef, klEstimator,
            adaptiveKl, targetKl, temperature, responseLength, missingEos, seed, maxGradNorm, rewardNormalization, computeDtype,
        };
        loraOptions.AddTo(command);
        command.SetAction((parseResult, ct) => CliErrors.RunAsync(parseResult, async stdout =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            if (!await PromptInput.ExactlyOneAsync(parseResult.GetValue(prompts), parseResult.GetValue(project), error)) return 2;
            var lora = loraOptions.Read(parseResult, out var loraProblem);
            if (loraProblem is not null) { await error.WriteLineAsync($"rlhf: {loraProblem}"); return 2; }
            var config = new PpoConfig
            {
                Steps = parseResult.GetValue(steps), BatchSize = parseResult.GetValue(batch), MiniBatches = parseResult.GetValue(minibatches),
                PpoEpochs = parseResult.GetValue(ppoEpochs), LearningRate = parseResult.GetValue(lr), KlCoef = parseResult.GetValue(klCoef),
                KlEstimator = parseResult.GetValue(klEstimator)!, AdaptiveKl = parseResult.GetValue(adaptiveKl), TargetKl = parseResult.GetValue(targetKl),
                Temperature = parseResult.GetValue(temperature), ResponseLength = parseResult.GetValue(responseLength),
                MissingEosPenalty = parseResult.GetValue(missingEos), Seed = parseResult.GetValue(seed),
                MaxGradNorm = parseResult.GetValue(maxGradNorm), RewardNormalization = parseResult.GetValue(rewardNormalization)!,
                ComputeDtype = parseResult.GetValue(computeDtype)!,
                Lora = lora,
            };
            if (config.Validate() is { Count: > 0 } problems)
            {
                foreach (var p in problems) await error.WriteLineAsync($"rlhf: {p}");
                return 2;
            }

            var (texts, exitCode) = await PromptInput.ReadAsync(parseResult.GetValue(prompts), parseResult.GetValue(project), error, ct);
            if (texts is null) return exitCode;

            try
            {
                var result = new PpoTrainer(config).Train(parseResult.GetValue(policy)!.FullName, parseResult.GetValue(reward)!.FullName, texts,
                    parseResult.GetValue(output)!.FullName, parseResult.GetValue(checkpoint)?.FullName,
                    m => stdout.WriteLine(PromptInput.MetricsLine(m.Step, m.Values)),
                    _ => { }, ct);
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["done"] = true, ["steps"] = result.Steps, ["first_mean_score"] = result.FirstMeanScore,
                    ["last_mean_score"] = result.LastMeanScore, ["objective/kl"] = result.LastKl, ["out"] = parseResult.GetValue(output)!.FullName,
                }));
                return 0;
            }
            catch (Exception ex) when (ex is CheckpointException or CheckpointMismatchException or ArgumentException) { await error.WriteLineAsync($"rlhf: {ex.Message}"); return 1; }
        }));
        return command;
    }
}
