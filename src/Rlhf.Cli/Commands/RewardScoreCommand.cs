namespace Rlhf.Cli.Commands;

using System.CommandLine;
using System.Text;
using System.Text.Json;
using Rlhf.Training;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Reward;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// `rlhf reward-score --model DIR (--ids ... | --text "..." | --prompt P --response R | --data FILE)`: scores with a
/// reward model of any supported family (GPT2/Llama/Qwen2/Qwen3ForSequenceClassification, num_labels 1) and prints one
/// JSON line {"reward": R}, the score at the last token. --text is tokenized by the folder's tokenizer; --prompt/--response
/// and --data are rendered with the model's chat template exactly as a reward run trains
/// (<see cref="RewardTrainer.Score(IRewardModel, ModelTokenizer, IReadOnlyList{ValueTuple{string, string}}, int, int)"/>).
/// Exit codes: 0 ok, 1 checkpoint/model error, 2 bad input.
/// </summary>
internal static class RewardScoreCommand
{
    public static Command Create()
    {
        var input = new SequenceInput(
            "Folder of a reward model (GPT-2, Llama, Qwen2 or Qwen3 *ForSequenceClassification) in the Hugging Face layout.",
            "Comma-separated token ids of the sequence to score.");
        var (model, ids, text, prompt, response) = (input.Model, input.Ids, input.Text, input.Prompt, input.Response);
        var command = new Command("reward-score", "Print the reward a reward model gives a sequence (the score at its last token).")
        {
            model, ids, text, prompt, response,
        };
        var data = new Option<FileInfo>("--data") { Description = "A TRL preference JSONL file: prints pairs, accuracy and mean margin." };
        var maxLength = new Option<int>("--max-length") { Description = "Tokens kept (the end) for --prompt/--data.", DefaultValueFactory = _ => 256 };
        command.Options.Add(data);
        command.Options.Add(maxLength);
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;

            var textual = parseResult.GetValue(prompt) is not null || parseResult.GetValue(response) is not null || parseResult.GetValue(data) is not null;
            if (textual)
                return ScoreTexts(parseResult, model, ids, text, prompt, response, data, maxLength, output, error);

            if (input.ReadTokens(parseResult, error, out var exitCode) is not { } tokens) return exitCode;
            return input.WithModel(parseResult, folder => ModelLoader.LoadRewardModel(folder), rewardModel =>
            {
                if (!input.Fits(tokens, rewardModel, error)) return 2;
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
            var folder = parseResult.GetValue(model)!.FullName;
            using var rewardModel = ModelLoader.LoadRewardModel(folder);
            var tokenizer = ModelTokenizers.LoadRenderable(folder, rewardModel.VocabSize);
            double Score(string prompt, string response) => RewardTrainer.Score(rewardModel, tokenizer, [(prompt, response)], length)[0];
            if (file is null)
            {
                output.WriteLine(ToJson(Score(p!, r!)));
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
                var d = Score(pair.Prompt, pair.Chosen) - Score(pair.Prompt, pair.Rejected);
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
