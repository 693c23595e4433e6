using System.Text.Json;

namespace Rlhf.Training.Text;

/// <summary>
/// A model folder's tokenizer and chat template: tokenizer.json (+ tokenizer_config.json) when the folder has one,
/// else GPT-2's BPE and the "User:/Assistant:" demo template for a GPT-2 checkpoint (config.json model_type "gpt2").
/// </summary>
public sealed record ModelTokenizer(ITextTokenizer Tokenizer, IChatTemplate ChatTemplate)
{
    public static ModelTokenizer Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new TokenizerException($"model folder '{folder}' does not exist.");
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        if (File.Exists(Path.Combine(folder, HfTokenizer.FileName)))
        {
            var tokenizer = HfTokenizer.Load(folder);
            return new ModelTokenizer(tokenizer, ChatTemplateRecognizer.Recognize(tokenizer.Config, name));
        }
        if (ModelType(folder) == "gpt2") return new ModelTokenizer(Gpt2Tokenizer.Shared, Gpt2ChatTemplate.Instance);
        throw new TokenizerException($"model folder '{folder}' has no {HfTokenizer.FileName} and is not a GPT-2 checkpoint (config.json model_type \"gpt2\").");
    }

    /// <summary>The prompt text of a conversation and its ids (as apply_chat_template(tokenize=True): no extra special tokens).</summary>
    public (string Text, int[] Ids) EncodeChat(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var text = ChatTemplate.Render(messages, addGenerationPrompt);
        return (text, Tokenizer.Encode(text, addSpecialTokens: false));
    }

    private static string? ModelType(string folder)
    {
        var path = Path.Combine(folder, "config.json");
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("model_type", out var type) ? type.GetString() : null;
        }
        catch (JsonException e)
        {
            throw new TokenizerException($"{path}: not valid JSON ({e.Message})");
        }
    }
}
