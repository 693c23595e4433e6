namespace Rlhf.Cli.Commands;

using System.CommandLine;
using Rlhf.Training;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Text;

/// <summary>
/// What `lm-logprob` and `reward-score` share: --model DIR and one token sequence from exactly one of --ids / --text,
/// the model loaded with its errors reported (exit 1), and the check that the tokens fit the model (exit 2).
/// </summary>
internal sealed class SequenceInput(string modelDescription, string idsDescription)
{
    public Option<DirectoryInfo> Model { get; } = new("--model") { Description = modelDescription, Required = true };
    public Option<string> Ids { get; } = new("--ids") { Description = idsDescription };
    public Option<string> Text { get; } = new("--text") { Description = "Text to tokenize with GPT-2 BPE instead of --ids." };

    /// <summary>The tokens of --ids or --text; null (usage written to <paramref name="error"/>) when not exactly one was given usably.</summary>
    public int[]? ReadTokens(ParseResult parseResult, TextWriter error)
    {
        if (TryReadTokens(parseResult.GetValue(Ids), parseResult.GetValue(Text), out var tokens, out var usage))
            return tokens;
        error.WriteLine($"rlhf: {usage}");
        return null;
    }

    /// <summary>Loads --model with <paramref name="load"/> and runs <paramref name="use"/> on it; a checkpoint error is exit 1.</summary>
    public int WithModel<TModel>(ParseResult parseResult, Func<string, TModel> load, Func<TModel, int> use, TextWriter error)
        where TModel : IDisposable
    {
        try
        {
            TorchThreads.EnsureConfigured();
            using var model = load(parseResult.GetValue(Model)!.FullName);
            return use(model);
        }
        catch (CheckpointException e)
        {
            error.WriteLine($"rlhf: {e.Message}");
            return 1;
        }
    }

    /// <summary>True when <paramref name="tokens"/> fit <paramref name="model"/>; else writes why to <paramref name="error"/>.</summary>
    public bool Fits(ParseResult parseResult, int[] tokens, IDecoderModel model, TextWriter error)
    {
        if (CheckFits(tokens, model, parseResult.GetValue(Text) is not null) is not string misfit) return true;
        error.WriteLine($"rlhf: {misfit}");
        return false;
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
