namespace Rlhf.Cli.Commands;

using System.CommandLine;
using System.Text;
using System.Text.Json;
using Rlhf.Jobs.Training;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Dpo;
using Rlhf.Training.Reward;
using Rlhf.Training.Text;
using Rlhf.Training.Models;
using Rlhf.Training.Sampling;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// `rlhf lm-logprob --model DIR (--ids 15496,995,11 | --text "..." | --prompt P --response R)`: runs a causal-LM
/// checkpoint of any supported family (gpt2, llama, qwen2, qwen3; --text with the folder's tokenizer, --prompt/--response
/// in its chat template, see <see cref="SequenceInput"/>) over one
/// sequence and prints one JSON line {"sequence_logprob": S, "argmax": [...]}, where
/// S = sum over t of log p(token[t+1] | tokens[..t]) and argmax holds the most likely next token at
/// every input position.
/// <para>`rlhf lm-logprob --model DIR --data FILE.jsonl` (TRL preference format, as an import reads it) prints one JSON
/// object per record, in file order: {"line": N, "chosen": logp(chosen | prompt), "rejected": logp(rejected | prompt)}, the
/// summed log-probs of the response tokens given the prompt, rendered with the model's tokenizer and chat template exactly
/// as DPO training renders them (<see cref="DpoTrainer.ResponseLogProbs"/>).</para>
/// Exit codes: 0 ok, 1 checkpoint/model/data error, 2 bad input.
/// </summary>
internal static class LmLogprobCommand
{
    public static Command Create()
    {
        var input = new SequenceInput(
            "Folder of a GPT-2, Llama, Qwen2 or Qwen3 checkpoint in the Hugging Face layout (config.json + model.safetensors or its sharded index).",
            "Comma-separated token ids of the model's vocabulary, e.g. 15496,995,11.");
        var data = new Option<FileInfo>("--data") { Description = "A TRL preference JSONL file: print logp(chosen | prompt) and logp(rejected | prompt) of each record." };
        var command = new Command("lm-logprob", "Print a sequence's log-probability and the argmax next token at each position under a causal LM.")
        {
            input.Model, input.Ids, input.Text, input.Prompt, input.Response, data,
        };
        command.SetAction(parseResult =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            if (parseResult.GetValue(data) is { } file)
            {
                if (parseResult.GetValue(input.Ids) is not null || parseResult.GetValue(input.Text) is not null || parseResult.GetValue(input.Prompt) is not null)
                {
                    error.WriteLine("rlhf: give --data, or one of --ids / --text / --prompt, not both.");
                    return 2;
                }
                return ScorePreferences(parseResult, input, file, error);
            }
            if (input.ReadTokens(parseResult, error, out var exitCode) is not { } tokens) return exitCode;
            return input.WithModel(parseResult, ModelLoader.LoadLanguageModel, lm =>
            {
                if (!input.Fits(tokens, lm, error)) return 2;
                var (sequenceLogprob, argmax) = Score(lm, tokens);
                parseResult.InvocationConfiguration.Output.WriteLine(ToJson(sequenceLogprob, argmax));
                return 0;
            }, error);
        });
        return command;
    }

    /// <summary>--data: one {"line", "chosen", "rejected"} line per record of the file.</summary>
    private static int ScorePreferences(ParseResult parseResult, SequenceInput input, FileInfo file, TextWriter error)
    {
        List<PreferencePair> pairs;
        List<long> lines;
        try { (pairs, lines) = PreferenceData.FromTrlFileWithLinesAsync(file.FullName, CancellationToken.None).GetAwaiter().GetResult(); }
        catch (Exception ex) when (ex is FormatException or IOException)
        {
            error.WriteLine($"rlhf: {file.Name}: {ex.Message}");
            return 1;
        }
        try
        {
            var tokenizer = ModelTokenizer.Load(parseResult.GetValue(input.Model)!.FullName);
            return input.WithModel(parseResult, ModelLoader.LoadLanguageModel, lm =>
            {
                var scores = DpoTrainer.ResponseLogProbs(lm, tokenizer, pairs);
                var output = parseResult.InvocationConfiguration.Output;
                for (var i = 0; i < scores.Length; i++)
                    output.WriteLine(JsonSerializer.Serialize(new { line = lines[i], chosen = scores[i].Chosen, rejected = scores[i].Rejected }));
                return 0;
            }, error);
        }
        catch (TokenizerException ex)
        {
            error.WriteLine($"rlhf: {ex.Message}");
            return 1;
        }
    }

    /// <summary>Sum of next-token log-probs over the sequence, and the argmax at each position.</summary>
    private static (double SequenceLogprob, long[] Argmax) Score(ICausalLanguageModel lm, int[] tokens)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var input = tensor(tokens.Select(t => (long)t).ToArray(), [1, tokens.Length]);   // [1, T]
        var logits = lm.forward(input);                                                 // [1, T, V]
        var argmax = logits.argmax(-1)[0].data<long>().ToArray();                       // [T]
        var sum = 0.0;
        if (tokens.Length > 1)
            sum = TokenLogProbs.NextTokenLogProbs(logits, input)[0].data<float>().ToArray().Sum(x => (double)x);
        return (sum, argmax);
    }

    private static string ToJson(double sequenceLogprob, long[] argmax)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("sequence_logprob", sequenceLogprob);
            json.WriteStartArray("argmax");
            foreach (var id in argmax) json.WriteNumberValue(id);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
