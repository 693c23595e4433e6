using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Rlhf.Training.Text;

/// <summary>
/// Picks the native renderer for a tokenizer_config.json chat_template. There is no .NET Jinja engine, so the platform
/// renders the template families natively and recognises them by their exact text (each checked against
/// @huggingface/jinja in the tests); any other template is refused with a message naming the model, never replaced.
/// </summary>
public static class ChatTemplateRecognizer
{
    /// <summary>Qwen3's template (Qwen3-0.6B … Qwen3-32B tokenizer_config.json), by SHA-256 of its text.</summary>
    public const string Qwen3Sha256 = "87a2728cb8dc9fe424d624542f6060ec05a1d285ebbec578bb078900e33396b5";

    /// <summary>Hugging Face's plain ChatML template.</summary>
    public const string ChatMl =
        @"{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    /// <summary>Meta-Llama-3-8B-Instruct's first template (generation prompt always added).</summary>
    public const string Llama3 =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}";

    /// <summary>Meta-Llama-3-8B-Instruct's later template (generation prompt only when asked).</summary>
    public const string Llama3WithGenerationPrompt =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

    /// <summary>ChatML with a default system prompt (Qwen2-Instruct, SmolLM2-Instruct); group 1 is the prompt as a Jinja literal.</summary>
    private static readonly Regex ChatMlWithDefaultSystem = new(
        "^" + Regex.Escape(@"{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\n")
        + @"((?:[^'\\]|\\.)*)"
        + Regex.Escape(@"<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}") + "$",
        RegexOptions.CultureInvariant);

    /// <summary>
    /// The renderer for <paramref name="config"/>'s chat_template, or an <see cref="UnsupportedChatTemplate"/> that
    /// names <paramref name="model"/> and says why.
    /// </summary>
    public static IChatTemplate Recognize(TokenizerConfig config, string model)
    {
        var template = config.ChatTemplate;
        if (string.IsNullOrEmpty(template))
            return new UnsupportedChatTemplate($"model '{model}' has no chat_template (tokenizer_config.json or chat_template.jinja).");

        if (Sha256(template) == Qwen3Sha256) return Qwen3ChatTemplate.Instance;
        if (template == ChatMl) return new ChatMlTemplate(null);
        if (ChatMlWithDefaultSystem.Match(template) is { Success: true } match) return new ChatMlTemplate(UnescapeJinja(match.Groups[1].Value));
        if (template == Llama3 || template == Llama3WithGenerationPrompt)
        {
            if (config.BosToken is null) return new UnsupportedChatTemplate($"model '{model}': the Llama 3 chat template needs bos_token in tokenizer_config.json.");
            return new Llama3ChatTemplate(config.BosToken, alwaysAddsGenerationPrompt: template == Llama3);
        }
        return new UnsupportedChatTemplate(
            $"model '{model}': its chat_template (sha256 {Sha256(template)[..12]}…) is not one the platform can render " +
            "(supported: Qwen3, ChatML/Qwen2/SmolLM2, Llama 3, GPT-2 demo).");
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The value of a single-quoted Jinja string literal's body (Python escapes \n \t \\ \' \").</summary>
    private static string UnescapeJinja(string literal) => Regex.Replace(literal, @"\\(.)", m => m.Groups[1].Value switch
    {
        "n" => "\n",
        "t" => "\t",
        "r" => "\r",
        var other => other,
    });
}
