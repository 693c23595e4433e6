namespace Rlhf.Cli.Commands;

using System.CommandLine;
using System.Text;
using System.Text.Json;
using Rlhf.Training;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Reward;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// `rlhf reward-score --model DIR (--ids ... | --text "...")`: scores one sequence with a reward model of any
/// supported family (GPT2/Llama/Qwen2/Qwen3ForSequenceClassification, num_labels 1; --text, --prompt and --data are GPT-2 only) and prints one JSON line {"reward": R}, the score
/// at the last token. Exit codes: 0 ok, 1 checkpoint/model error, 2 bad input.
/// <para>
/// The action is split into: read the inputs (one or more token sequences), load the model, score each
/// sequence, print one JSON line per sequence. New input options (e.g. --prompt/--response rendered with
/// ConversationTemplate, or --data FILE.jsonl) only need another branch before <see cref="SequenceInput.ReadTokens"/>.
/// </para>
/// </summary>
internal static class RewardScoreCommand
{
    public static Command Create()
    {
        var input = new SequenceInput(
            "Folder of a GPT-2 reward model in the Hugging Face layout (config.json + model.safetensors with score.weight).",
            "Comma-separated GPT-2 token ids of the sequence to score.");
        var (model, ids, text) = (input.Model, input.Ids, input.Text);
        var command = new Command("reward-score", "Print the reward a GPT-2 reward model gives a sequence (the score at its last token).")
        {
            model, ids, text,
        };
        var prompt = new Option<string>("--prompt") { Description = "A prompt, scored with --response through the training template." };
        var response = new Option<string>("--response") { Description = "The response to --prompt." };
        var data = new Option<FileInfo>("--data") { Description = "A TRL preference JSONL file: prints pairs, accuracy and mean margin." };
        var maxLength = new Option<int>("--max-length") { Description = "Tokens kept (the end) for --prompt/--data.", DefaultValueFactory = _ => 256 };
        command.Options.Add(prompt);
        command.Options.Add(response);
        command.Options.Add(data);
        command.Options.Add(maxLength);
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;

            var textual = parseResult.GetValue(prompt) is not null || parseResult.GetValue(response) is not null || parseResult.GetValue(data) is not null;
            if (textual)
                return ScoreTexts(parseResult, model, ids, text, prompt, response, data, maxLength, output, error);

            if (input.ReadTokens(parseResult, error) is not { } tokens) return 2;
            return input.WithModel(parseResult, folder => ModelLoader.LoadRewardModel(folder), rewardModel =>
            {
                if (!input.Fits(parseResult, tokens, rewardModel, error)) return 2;
                output.WriteLine(ToJson(Score(rewardModel, tokens)));
                return 0;
            }, error);
        });
        return command;
    }

    /// <summary>
    /// `--prompt P --response R` prints {"reward": R} with the template the reward run trained with; `--data FILE`
    /// prints {"pairs": N, "accuracy": A, "mean_margin": M} over a TRL preference file.
    /// </summary>
    private static int ScoreTexts(ParseResult parseResult, Option<DirectoryInfo> model, Option<string> ids, Option<string> text,
        Option<string> prompt, Option<string> response, Option<FileInfo> data, Option<int> maxLength, TextWriter output, TextWriter error)
    {
        var file = parseResult.GetValue(data);
        var (p, r) = (parseResult.GetValue(prompt), parseResult.GetValue(response));
        if (parseResult.GetValue(ids) is not null || parseResult.GetValue(text) is not null)
        {
            error.WriteLine("rlhf: give either --ids/--text, or --prompt with --response, or --data");
            return 2;
        }
        if (file is null && (p is null || r is null))
        {
            error.WriteLine("rlhf: --prompt and --response go together");
            return 2;
        }
        if (file is not null && (p is not null || r is not null))
        {
            error.WriteLine("rlhf: give either --prompt with --response, or --data");
            return 2;
        }
        var length = parseResult.GetValue(maxLength);
        if (length < 2)
        {
            error.WriteLine("rlhf: --max-length must be at least 2");
            return 2;
        }
        try
        {
            TorchThreads.EnsureConfigured();
            using var rewardModel = Gpt2Checkpoint.LoadRewardModel(parseResult.GetValue(model)!.FullName);
            if (file is null)
            {
                output.WriteLine(ToJson(RewardTrainer.Score(rewardModel, p!, r!, length)));
                return 0;
            }
            List<PreferencePair> pairs;
            try { pairs = Rlhf.Jobs.Training.PreferenceData.FromTrlFileAsync(file.FullName, CancellationToken.None).GetAwaiter().GetResult(); }
            catch (FormatException ex) { error.WriteLine($"rlhf: {file.Name}: {ex.Message}"); return 1; }
            catch (IOException ex) { error.WriteLine($"rlhf: {file.FullName}: {ex.Message}"); return 1; }
            var correct = 0;
            var margin = 0.0;
            foreach (var pair in pairs)
            {
                var d = RewardTrainer.Score(rewardModel, pair.Prompt, pair.Chosen, length) - RewardTrainer.Score(rewardModel, pair.Prompt, pair.Rejected, length);
                if (d > 0) correct++;
                margin += d;
            }
            output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double>
            {
                ["pairs"] = pairs.Count, ["accuracy"] = (double)correct / pairs.Count, ["mean_margin"] = margin / pairs.Count,
            }));
            return 0;
        }
        catch (CheckpointException e)
        {
            error.WriteLine($"rlhf: {e.Message}");
            return 1;
        }
    }

    /// <summary>The score at the last token of the sequence (every token counts as real, even a final EOS).</summary>
    private static double Score(IRewardModel rewardModel, int[] tokens)
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
