namespace Rlhf.Cli.Commands;

using System.CommandLine;
using Rlhf.Training;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Text;

/// <summary>
/// What `lm-logprob` and `reward-score` share: --model DIR and one token sequence from exactly one of --ids, --text
/// (tokenized by the model folder's own tokenizer with its special tokens added, as <c>tokenizer(text)</c> does) or
/// --prompt with --response (rendered with the model's chat template, <see cref="ChatPrompts.EncodeWithResponse"/>),
/// the model loaded with its errors reported (exit 1), and the check that the tokens fit the model (exit 2).
/// </summary>
internal sealed class SequenceInput(string modelDescription, string idsDescription)
{
    public Option<DirectoryInfo> Model { get; } = new("--model") { Description = modelDescription, Required = true };
    public Option<string> Ids { get; } = new("--ids") { Description = idsDescription };
    public Option<string> Text { get; } = new("--text") { Description = "Text to tokenize with the model's tokenizer (special tokens added as its post-processor adds them) instead of --ids." };
    public Option<string> Prompt { get; } = new("--prompt") { Description = "A prompt (one user message), rendered with --response in the model's chat template." };
    public Option<string> Response { get; } = new("--response") { Description = "The response to --prompt." };

    /// <summary>
    /// The tokens of --ids, --text or --prompt/--response; null when not exactly one was given usably (usage written
    /// to <paramref name="error"/>, <paramref name="exitCode"/> 2) or the model folder's tokenizer cannot be used (exit 1).
    /// </summary>
    public int[]? ReadTokens(ParseResult parseResult, TextWriter error, out int exitCode)
    {
        exitCode = 2;
        var (ids, text) = (parseResult.GetValue(Ids), parseResult.GetValue(Text));
        var (prompt, response) = (parseResult.GetValue(Prompt), parseResult.GetValue(Response));
        var given = new[] { ids is not null, text is not null, prompt is not null || response is not null }.Count(x => x);
        string? usage = given switch
        {
            0 => "give --ids or --text.",
            > 1 => "give either --ids or --text, not both.",
            _ when (prompt is null) != (response is null) => "--prompt and --response go together.",
            _ => null,
        };
        if (usage is null && ids is not null)
        {
            try { return Gpt2Tokenizer.ParseIds(ids, int.MaxValue); }
            catch (FormatException e) { usage = $"--ids: {e.Message}"; }
        }
        if (usage is not null)
        {
            error.WriteLine($"rlhf: {usage}");
            return null;
        }
        int[] tokens;
        try
        {
            var folder = parseResult.GetValue(Model)!.FullName;
            tokens = text is not null
                ? ModelTokenizer.Load(folder).Tokenizer.Encode(text, addSpecialTokens: true)
                : ChatPrompts.EncodeWithResponse(ModelTokenizers.LoadRenderable(folder), prompt!, response!);
        }
        catch (Exception e) when (e is CheckpointException or TokenizerException)
        {
            error.WriteLine($"rlhf: {e.Message}");
            exitCode = 1;
            return null;
        }
        if (tokens.Length == 0)
        {
            error.WriteLine("rlhf: --text is empty.");
            return null;
        }
        return tokens;
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
    public bool Fits(int[] tokens, IDecoderModel model, TextWriter error)
    {
        if (CheckFits(tokens, model) is not string misfit) return true;
        error.WriteLine($"rlhf: {misfit}");
        return false;
    }

    /// <summary>Null when the tokens fit the model, else why not.</summary>
    internal static string? CheckFits(int[] tokens, IDecoderModel model)
    {
        if (tokens.Length > model.MaxPositions)
            return $"{tokens.Length} tokens, the model takes at most {model.MaxPositions} (n_positions / max_position_embeddings).";
        var outside = tokens.FirstOrDefault(t => t >= model.VocabSize, -1);
        if (outside >= 0)
            return $"token id {outside} is outside the model's vocabulary (0..{model.VocabSize - 1}).";
        return null;
    }
}
