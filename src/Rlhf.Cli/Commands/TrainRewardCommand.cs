using System.CommandLine;
using System.Text.Json;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Reward;

namespace Rlhf.Cli.Commands;

/// <summary>
/// `rlhf train-reward --data FILE.jsonl | --project ID --base MODEL_DIR --out DIR [--epochs --lr --batch-pairs --max-length
/// --margin --seed ...] [--method mean|majority --keep-ties --min-agreement X --min-votes N --exclude-flagged --include-gold]`: the
/// reward run without the site; with --project the pairs are those `rlhf export` writes under the same options. Prints
/// metrics as JSON lines (TRL names) and writes the model.
/// </summary>
internal static class TrainRewardCommand
{
    public static Command Create()
    {
        var data = new Option<FileInfo>("--data") { Description = "A TRL preference JSONL file ({\"prompt\",\"chosen\",\"rejected\"})." };
        var project = new Option<int?>("--project") { Description = "Train on a project's votes (from the configured database) instead." };
        var baseModel = new Option<DirectoryInfo>("--base") { Description = "Base checkpoint folder (a policy, or a reward model).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write the reward model (HF layout) or, with --lora-r, the adapter (PEFT layout, with the score head).", Required = true };
        var defaults = new RewardTrainingConfig();
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => defaults.Epochs };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => defaults.LearningRate };
        var batchPairs = new Option<int>("--batch-pairs") { DefaultValueFactory = _ => defaults.BatchPairs };
        var maxLength = new Option<int>("--max-length") { DefaultValueFactory = _ => defaults.MaxLength };
        var margin = new Option<bool>("--margin") { Description = "Use a margin from vote strength (projects) in the loss." };
        var center = new Option<double?>("--center-rewards-coefficient") { Description = "TRL's center_rewards_coefficient." };
        var validation = new Option<double>("--validation-fraction") { DefaultValueFactory = _ => defaults.ValidationFraction };
        var evalEvery = new Option<int>("--eval-every") { DefaultValueFactory = _ => defaults.EvalEvery };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => defaults.Seed };
        var computeDtype = new Option<string>("--compute-dtype")
        { DefaultValueFactory = _ => defaults.ComputeDtype, Description = "Matmul dtype: float32, or bf16 (float32 master weights, norms, softmax and losses)." };
        var policyOptions = new PreferencePolicyOptions();

        var loraOptions = new LoraOptions(scoreHead: true);

        var command = new Command("train-reward", "Train a Bradley-Terry reward model on preference pairs.")
        {
            data, project, baseModel, output, epochs, lr, batchPairs, maxLength, margin, center, validation, evalEvery, seed, computeDtype,
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
            var config = new RewardTrainingConfig
            {
                Epochs = parseResult.GetValue(epochs), LearningRate = parseResult.GetValue(lr), BatchPairs = parseResult.GetValue(batchPairs),
                MaxLength = parseResult.GetValue(maxLength), UseMargin = parseResult.GetValue(margin),
                CenterRewardsCoefficient = parseResult.GetValue(center), ValidationFraction = parseResult.GetValue(validation),
                EvalEvery = parseResult.GetValue(evalEvery), Seed = parseResult.GetValue(seed), ComputeDtype = parseResult.GetValue(computeDtype)!,
                Lora = lora,
            };
            var policy = policyOptions.Read(parseResult);
            if (!await PreferenceSource.OptionsFitAsync(parseResult, file, projectId, policyOptions, policy, config.Validate(), error)) return 2;

            if (await PreferenceSource.LoadAsync(file, projectId, policy, error, ct) is not { } loaded) return 1;
            var pairs = loaded.Pairs;
            if (pairs.Count < 4) { await error.WriteLineAsync($"rlhf: only {pairs.Count} preference pairs; at least 4 are needed"); return 1; }

            try
            {
                var result = new RewardTrainer(config).Train(parseResult.GetValue(baseModel)!.FullName, pairs, parseResult.GetValue(output)!.FullName, null,
                    m => stdout.WriteLine(MetricsLine.Of(m.Step, m.Values)),
                    ct);
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["done"] = true, ["steps"] = result.Steps, ["train_pairs"] = result.TrainPairs, ["validation_pairs"] = result.ValidationPairs,
                    ["eval/accuracy"] = result.FinalValidationAccuracy, ["eval/loss"] = result.FinalValidationLoss, ["reward_shift"] = result.RewardShift,
                    ["out"] = parseResult.GetValue(output)!.FullName,
                }));
                return 0;
            }
            catch (Exception ex) when (ex is CheckpointException or ArgumentException) { await error.WriteLineAsync($"rlhf: {ex.Message}"); return 1; }
        }));
        return command;
    }
}
