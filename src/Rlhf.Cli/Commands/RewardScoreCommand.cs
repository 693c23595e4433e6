namespace Rlhf.Cli.Commands;

using System.CommandLine;
using System.Text;
using System.Text.Json;
using Rlhf.Training;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// `rlhf reward-score --model DIR (--ids ... | --text "...")`: scores one sequence with a GPT-2 reward
/// model (GPT2ForSequenceClassification, num_labels 1) and prints one JSON line {"reward": R}, the score
/// at the last token. Exit codes: 0 ok, 1 checkpoint/model error, 2 bad input.
/// <para>
/// The action is split into: read the inputs (one or more token sequences), load the model, score each
/// sequence, print one JSON line per sequence. New input options (e.g. --prompt/--response rendered with
/// ConversationTemplate, or --data FILE.jsonl) only need another branch in <see cref="TryReadInputs"/>.
/// </para>
/// </summary>
internal static class RewardScoreCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model")
        {
            Description = "Folder of a GPT-2 reward model in the Hugging Face layout (config.json + model.safetensors with score.weight).",
            Required = true,
        };
        var ids = new Option<string>("--ids") { Description = "Comma-separated GPT-2 token ids of the sequence to score." };
        var text = new Option<string>("--text") { Description = "Text to tokenize with GPT-2 BPE instead of --ids." };
        var command = new Command("reward-score", "Print the reward a GPT-2 reward model gives a sequence (the score at its last token).")
        {
            model, ids, text,
        };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;

            if (!TryReadInputs(parseResult, ids, text, out var sequences, out var usage))
            {
                error.WriteLine($"rlhf: {usage}");
                return 2;
            }

            try
            {
                TorchThreads.EnsureConfigured();
                using var rewardModel = Gpt2Checkpoint.LoadRewardModel(parseResult.GetValue(model)!.FullName);
                foreach (var tokens in sequences)
                {
                    if (LmLogprobCommand.CheckFits(tokens, rewardModel.Config) is string misfit)
                    {
                        error.WriteLine($"rlhf: {misfit}");
                        return 2;
                    }
                }
                foreach (var tokens in sequences)
                    output.WriteLine(ToJson(Score(rewardModel, tokens)));
                return 0;
            }
            catch (CheckpointException e)
            {
                error.WriteLine($"rlhf: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>The sequences to score, from whichever input options were given (exactly one source).</summary>
    private static bool TryReadInputs(ParseResult parseResult, Option<string> ids, Option<string> text,
        out List<int[]> sequences, out string problem)
    {
        sequences = [];
        if (!LmLogprobCommand.TryReadTokens(parseResult.GetValue(ids), parseResult.GetValue(text), out var tokens, out problem))
            return false;
        sequences.Add(tokens);
        return true;
    }

    /// <summary>The score at the last token of the sequence (every token counts as real, even a final EOS).</summary>
    private static double Score(Gpt2ForSequenceClassification rewardModel, int[] tokens)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var input = tensor(tokens.Select(t => (long)t).ToArray(), [1, tokens.Length]);   // [1, T]
        var mask = ones_like(input);                                                     // [1, T]
        return rewardModel.Rewards(input, mask).item<float>();
    }

    private static string ToJson(double reward)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("reward", reward);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
