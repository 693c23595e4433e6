namespace Rlhf.Cli.Commands;

using System.CommandLine;
using System.Text;
using System.Text.Json;
using Rlhf.Training.Checkpoints;
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
/// every input position. Exit codes: 0 ok, 1 checkpoint/model error, 2 bad input.
/// </summary>
internal static class LmLogprobCommand
{
    public static Command Create()
    {
        var input = new SequenceInput(
            "Folder of a GPT-2, Llama, Qwen2 or Qwen3 checkpoint in the Hugging Face layout (config.json + model.safetensors or its sharded index).",
            "Comma-separated token ids of the model's vocabulary, e.g. 15496,995,11.");
        var command = new Command("lm-logprob", "Print a sequence's log-probability and the argmax next token at each position under a causal LM.")
        {
            input.Model, input.Ids, input.Text, input.Prompt, input.Response,
        };
        command.SetAction(parseResult =>
        {
            var error = parseResult.InvocationConfiguration.Error;
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
