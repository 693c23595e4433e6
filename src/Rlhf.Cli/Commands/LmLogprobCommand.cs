namespace Rlhf.Cli.Commands;

using System.CommandLine;
using System.Text;
using System.Text.Json;
using Rlhf.Training;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Sampling;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// `rlhf lm-logprob --model DIR (--ids 15496,995,11 | --text "...")`: runs a causal-LM checkpoint of any supported
/// family (gpt2, llama, qwen2, qwen3; --text is GPT-2 BPE, so GPT-2 only) over one
/// sequence and prints one JSON line {"sequence_logprob": S, "argmax": [...]}, where
/// S = sum over t of log p(token[t+1] | tokens[..t]) and argmax holds the most likely next token at
/// every input position. Exit codes: 0 ok, 1 checkpoint/model error, 2 bad input.
/// </summary>
internal static class LmLogprobCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model")
        {
            Description = "Folder of a GPT-2, Llama, Qwen2 or Qwen3 checkpoint in the Hugging Face layout (config.json + model.safetensors or its sharded index).",
            Required = true,
        };
        var ids = new Option<string>("--ids") { Description = "Comma-separated token ids of the model's vocabulary, e.g. 15496,995,11." };
        var text = new Option<string>("--text") { Description = "Text to tokenize with GPT-2 BPE instead of --ids." };
        var command = new Command("lm-logprob", "Print a sequence's log-probability and the argmax next token at each position under a causal LM.")
        {
            model, ids, text,
        };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;

            if (!TryReadTokens(parseResult.GetValue(ids), parseResult.GetValue(text), out var tokens, out var usage))
            {
                error.WriteLine($"rlhf: {usage}");
                return 2;
            }

            try
            {
                TorchThreads.EnsureConfigured();
                using var lm = ModelLoader.LoadLanguageModel(parseResult.GetValue(model)!.FullName);
                if (CheckFits(tokens, lm, parseResult.GetValue(text) is not null) is string misfit)
                {
                    error.WriteLine($"rlhf: {misfit}");
                    return 2;
                }

                var (sequenceLogprob, argmax) = Score(lm, tokens);
                output.WriteLine(ToJson(sequenceLogprob, argmax));
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

    /// <summary>Null when the tokens fit the model, else why not.</summary>
    internal static string? CheckFits(int[] tokens, IDecoderModel model, bool fromText = false)
    {
        if (fromText && model.ModelType != "gpt2")
            return $"--text is tokenized with GPT-2 BPE, which does not fit this {model.ModelType} model; give --ids.";
        if (tokens.Length > model.MaxPositions)
            return $"{tokens.Length} tokens, the model takes at most {model.MaxPositions} (n_positions / max_position_embeddings).";
        var outside = tokens.FirstOrDefault(t => t >= model.VocabSize, -1);
        if (outside >= 0)
            return $"token id {outside} is outside the model's vocabulary (0..{model.VocabSize - 1}).";
        return null;
    }

    /// <summary>Exactly one of --ids / --text, turned into token ids.</summary>
    internal static bool TryReadTokens(string? ids, string? text, out int[] tokens, out string problem)
    {
        tokens = [];
        problem = "";
        if (ids is not null && text is not null) { problem = "give either --ids or --text, not both."; return false; }
        if (ids is null && text is null) { problem = "give --ids or --text."; return false; }
        if (ids is not null)
        {
            try { tokens = Gpt2Tokenizer.ParseIds(ids); }
            catch (FormatException e) { problem = $"--ids: {e.Message}"; return false; }
            return true;
        }
        tokens = Gpt2Tokenizer.Shared.Encode(text!);
        if (tokens.Length == 0) { problem = "--text is empty."; return false; }
        return true;
    }
}
