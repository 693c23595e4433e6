using System.CommandLine;
using System.Text.Json;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Grpo;
using Rlhf.Training.Text;

namespace Rlhf.Cli.Commands;

/// <summary>
/// `rlhf grpo --policy DIR --reward DIR --prompts FILE.jsonl | --project ID --out DIR [--steps N] [--group 8] [--beta 0.04]
/// [--seed S] [--batch --iterations --minibatches --lr --epsilon --epsilon-high --loss-type --scale-rewards --temperature
/// --max-completion-length --missing-eos-penalty --checkpoint]`: GRPO without the site, for a policy of any supported
/// family. Prints metrics as JSON lines (TRL's names) and writes the policy folder (HF layout).
/// </summary>
internal static class GrpoCommand
{
    public static Command Create()
    {
        var d = new GrpoConfig();
        var policy = new Option<DirectoryInfo>("--policy") { Description = "Policy checkpoint folder (also the frozen reference).", Required = true };
        var reward = new Option<DirectoryInfo>("--reward") { Description = "Reward model folder (same tokenizer as the policy).", Required = true };
        var prompts = new Option<FileInfo>("--prompts") { Description = "JSONL of {\"prompt\": ...} lines." };
        var project = new Option<int?>("--project") { Description = "Use a project's prompts (from the configured database) instead." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write the fine-tuned policy (HF layout) or, with --lora-r, the adapter (PEFT layout; `rlhf models merge` makes full weights).", Required = true };
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "Resumable checkpoint folder; an existing checkpoint there is resumed." };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => d.Steps };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => d.BatchSize, Description = "Prompts per update." };
        var group = new Option<int>("--group") { DefaultValueFactory = _ => d.NumGenerations, Description = "Completions per prompt (TRL num_generations)." };
        var iterations = new Option<int>("--iterations") { DefaultValueFactory = _ => d.NumIterations, Description = "Passes over each batch (TRL num_iterations, mu)." };
        var minibatches = new Option<int>("--minibatches") { DefaultValueFactory = _ => d.MiniBatches };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => d.LearningRate };
        var beta = new Option<double>("--beta") { DefaultValueFactory = _ => d.Beta, Description = "Weight of the k3 KL to the reference; 0 = none (no reference model)." };
        var epsilon = new Option<double>("--epsilon") { DefaultValueFactory = _ => d.Epsilon };
        var epsilonHigh = new Option<double?>("--epsilon-high") { Description = "Upper clip (default: --epsilon)." };
        var lossType = new Option<string>("--loss-type") { DefaultValueFactory = _ => d.LossType, Description = "grpo, dr_grpo or bnpo." };
        var scaleRewards = new Option<bool>("--scale-rewards") { DefaultValueFactory = _ => d.ScaleRewards, Description = "Divide by the group's std (false: Dr. GRPO)." };
        var temperature = new Option<double>("--temperature") { DefaultValueFactory = _ => d.Temperature };
        var completionLength = new Option<int>("--max-completion-length") { DefaultValueFactory = _ => d.MaxCompletionLength };
        var missingEos = new Option<double?>("--missing-eos-penalty");
        var maxGradNorm = new Option<double>("--max-grad-norm") { DefaultValueFactory = _ => d.MaxGradNorm };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => d.Seed };

        var loraOptions = new LoraOptions();

        var command = new Command("grpo", "Fine-tune a policy against a reward model with GRPO (TRL's algorithm; no value model).")
        {
            policy, reward, prompts, project, output, checkpoint, steps, batch, group, iterations, minibatches, lr, beta, epsilon, epsilonHigh,
            lossType, scaleRewards, temperature, completionLength, missingEos, maxGradNorm, seed,
        };
        loraOptions.AddTo(command);
        command.SetAction((parseResult, ct) => CliErrors.RunAsync(parseResult, async stdout =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            if (!await PromptInput.ExactlyOneAsync(parseResult.GetValue(prompts), parseResult.GetValue(project), error)) return 2;
            var lora = loraOptions.Read(parseResult, out var loraProblem);
            if (loraProblem is not null) { await error.WriteLineAsync($"rlhf: {loraProblem}"); return 2; }
            var config = new GrpoConfig
            {
                Steps = parseResult.GetValue(steps), BatchSize = parseResult.GetValue(batch), NumGenerations = parseResult.GetValue(group),
                NumIterations = parseResult.GetValue(iterations), MiniBatches = parseResult.GetValue(minibatches), LearningRate = parseResult.GetValue(lr),
                Beta = parseResult.GetValue(beta), Epsilon = parseResult.GetValue(epsilon), EpsilonHigh = parseResult.GetValue(epsilonHigh),
                LossType = parseResult.GetValue(lossType)!, ScaleRewards = parseResult.GetValue(scaleRewards), Temperature = parseResult.GetValue(temperature),
                MaxCompletionLength = parseResult.GetValue(completionLength), MissingEosPenalty = parseResult.GetValue(missingEos),
                MaxGradNorm = parseResult.GetValue(maxGradNorm), Seed = parseResult.GetValue(seed),
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
                var result = new GrpoTrainer(config).Train(parseResult.GetValue(policy)!.FullName, parseResult.GetValue(reward)!.FullName, texts,
                    parseResult.GetValue(output)!.FullName, parseResult.GetValue(checkpoint)?.FullName,
                    m => stdout.WriteLine(PromptInput.MetricsLine(m.Step, m.Values)), null, ct);
                var summary = new Dictionary<string, object>
                {
                    ["done"] = true, ["steps"] = result.Steps, ["first_mean_reward"] = result.FirstMeanReward,
                    ["last_mean_reward"] = result.LastMeanReward, ["out"] = parseResult.GetValue(output)!.FullName,
                };
                if (!double.IsNaN(result.LastKl)) summary["kl"] = result.LastKl;
                await stdout.WriteLineAsync(JsonSerializer.Serialize(summary));
                return 0;
            }
            catch (Exception ex) when (ex is CheckpointException or CheckpointMismatchException or TokenizerException) { await error.WriteLineAsync($"rlhf: {ex.Message}"); return 1; }
            catch (ArgumentException ex) { await error.WriteLineAsync($"rlhf: {ex.Message}"); return 1; }
        }));
        return command;
    }
}
