namespace Rlhf.Training.Text;

/// <summary>
/// How every run kind turns prompts and responses into a model's ids with the model's own chat template
/// (<see cref="ModelTokenizer"/>), so that generation, reward runs, PPO, scoring and rating all see the same text:
/// <list type="bullet">
/// <item>a prompt = the conversation rendered with add_generation_prompt (a plain prompt is one user message);</item>
/// <item>a prompt with its response = the prompt followed by the response text, with no end-of-turn token: the text
/// a policy writes after the generation cue, up to (not including) its stop token. The GPT-2 demo template keeps its
/// own rule, prompt + " " + response.Trim() (<see cref="ConversationTemplate.RenderWithResponse(string, string)"/>).</item>
/// </list>
/// Rendered text is tokenized without added special tokens: the template already holds BOS and the like.
/// A model whose template cannot be rendered fails with the <see cref="TokenizerException"/> that names it.
/// </summary>
public static class ChatPrompts
{
    private static readonly Lazy<ModelTokenizer> Gpt2DemoInstance = new(() => new ModelTokenizer(Gpt2Tokenizer.Shared, Gpt2ChatTemplate.Instance));

    /// <summary>GPT-2's BPE and the "User:/Assistant:" demo template: what a GPT-2 folder without tokenizer files gets.</summary>
    public static ModelTokenizer Gpt2Demo => Gpt2DemoInstance.Value;

    /// <summary>The text the model continues: <paramref name="messages"/> and the assistant cue.</summary>
    public static string RenderPrompt(ModelTokenizer model, IReadOnlyList<ChatMessage> messages)
        => model.ChatTemplate.Render(messages, addGenerationPrompt: true);

    /// <summary>The text the model continues for one user message.</summary>
    public static string RenderPrompt(ModelTokenizer model, string prompt) => RenderPrompt(model, [ChatMessage.FromUser(prompt)]);

    /// <summary>The prompt and the response, as the reward model scores it.</summary>
    public static string RenderWithResponse(ModelTokenizer model, IReadOnlyList<ChatMessage> messages, string response)
        => model.ChatTemplate is Gpt2ChatTemplate
            ? ConversationTemplate.RenderWithResponse(messages, response)
            : RenderPrompt(model, messages) + (response ?? "");

    public static string RenderWithResponse(ModelTokenizer model, string prompt, string response)
        => RenderWithResponse(model, [ChatMessage.FromUser(prompt)], response);

    /// <summary>Ids of <see cref="RenderPrompt(ModelTokenizer, string)"/>.</summary>
    public static int[] EncodePrompt(ModelTokenizer model, string prompt) => Encode(model, RenderPrompt(model, prompt));

    public static int[] EncodePrompt(ModelTokenizer model, IReadOnlyList<ChatMessage> messages) => Encode(model, RenderPrompt(model, messages));

    /// <summary>Ids of <see cref="RenderWithResponse(ModelTokenizer, string, string)"/>.</summary>
    public static int[] EncodeWithResponse(ModelTokenizer model, string prompt, string response)
        => Encode(model, RenderWithResponse(model, prompt, response));

    private static int[] Encode(ModelTokenizer model, string text) => model.Tokenizer.Encode(text, addSpecialTokens: false);
}
