using System.Text.Json;
using Rlhf.Training.Text;

namespace Rlhf.Training.Tests.Text;

/// <summary>Chat renderings of the Qwen3 and Llama 3 templates (and other ChatML/Llama 3 variants) equal @huggingface/jinja's.</summary>
public class ChatTemplateReferenceTests
{
    public static IEnumerable<object[]> ModelRows() => TokenizerReferences.ChatRows("qwen3").Concat(TokenizerReferences.ChatRows("llama3"));

    [Theory]
    [MemberData(nameof(ModelRows))]
    public void Model_folder_template_renders_like_hugging_face(string model, int index)
    {
        var chat = TokenizerReferences.For(model).GetProperty("chats")[index];
        var loaded = ModelTokenizer.Load(TokenizerReferences.Folder(model));
        Assert.Equal(model, loaded.ChatTemplate.Name);

        var (text, ids) = loaded.EncodeChat(TokenizerReferences.Messages(chat), chat.GetProperty("add_generation_prompt").GetBoolean());

        Assert.Equal(chat.GetProperty("text").GetString(), text);
        Assert.Equal(TokenizerReferences.Ids(chat.GetProperty("ids")), ids);
    }

    public static IEnumerable<object[]> OtherTemplateRows()
    {
        var templates = TokenizerReferences.For("other_templates");
        for (var t = 0; t < templates.GetArrayLength(); t++)
            for (var c = 0; c < templates[t].GetProperty("chats").GetArrayLength(); c++)
                yield return [t, c];
    }

    [Theory]
    [MemberData(nameof(OtherTemplateRows))]
    public void Other_family_templates_render_like_hugging_face(int template, int index)
    {
        var reference = TokenizerReferences.For("other_templates")[template];
        var chat = reference.GetProperty("chats")[index];
        var tokenizer = TokenizerReferences.Tokenizer(reference.GetProperty("tokenizer").GetString()!);
        var config = tokenizer.Config with { ChatTemplate = reference.GetProperty("chat_template").GetString() };

        var renderer = ChatTemplateRecognizer.Recognize(config, reference.GetProperty("name").GetString()!);
        var text = renderer.Render(TokenizerReferences.Messages(chat), chat.GetProperty("add_generation_prompt").GetBoolean());

        Assert.Equal(chat.GetProperty("text").GetString(), text);
        Assert.Equal(TokenizerReferences.Ids(chat.GetProperty("ids")), tokenizer.Encode(text, addSpecialTokens: false));
    }

    [Fact]
    public void Default_system_prompt_is_read_from_the_template()
    {
        var reference = TokenizerReferences.For("other_templates")[2];
        var config = TokenizerConfig.Empty with { ChatTemplate = reference.GetProperty("chat_template").GetString() };
        var renderer = Assert.IsType<ChatMlTemplate>(ChatTemplateRecognizer.Recognize(config, "SmolLM2"));
        Assert.Equal("You are a helpful AI assistant named SmolLM, trained by Hugging Face", renderer.DefaultSystemPrompt);
    }

    [Fact]
    public void An_unknown_template_is_refused_naming_the_model()
    {
        var qwen3 = TokenizerReferences.Tokenizer("qwen3").Config;
        var edited = qwen3 with { ChatTemplate = qwen3.ChatTemplate + " " };
        var renderer = ChatTemplateRecognizer.Recognize(edited, "my-qwen");
        var error = Assert.Throws<TokenizerException>(() => renderer.Render([ChatMessage.FromUser("Hi")], true));
        Assert.StartsWith("model 'my-qwen': its chat_template (sha256 ", error.Message);
        Assert.EndsWith("is not one the platform can render (supported: Qwen3, ChatML/Qwen2/SmolLM2, Llama 3, GPT-2 demo).", error.Message);

        var none = ChatTemplateRecognizer.Recognize(TokenizerConfig.Empty, "bare");
        Assert.Equal("model 'bare' has no chat_template (tokenizer_config.json or chat_template.jinja).",
            Assert.Throws<TokenizerException>(() => none.Render([ChatMessage.FromUser("Hi")], true)).Message);
    }

    [Fact]
    public void Roles_other_than_system_user_assistant_are_refused()
    {
        var error = Assert.Throws<TokenizerException>(() => Qwen3ChatTemplate.Instance.Render([new ChatMessage("tool", "42")], false));
        Assert.Equal("the qwen3 chat template takes roles system, user and assistant, not 'tool'.", error.Message);
        Assert.Equal("a conversation needs at least one message.",
            Assert.Throws<TokenizerException>(() => new ChatMlTemplate(null).Render([], true)).Message);
    }

    [Fact]
    public void Qwen3_keeps_reasoning_only_after_the_last_user_turn()
    {
        ChatMessage[] messages =
        [
            ChatMessage.FromUser("a"),
            ChatMessage.FromAssistant("<think>\nold\n</think>\n\nA1"),
            ChatMessage.FromUser("b"),
            ChatMessage.FromAssistant("<think>\nnew\n</think>\n\nB1"),
        ];
        Assert.Equal(
            "<|im_start|>user\na<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n<|im_start|>user\nb<|im_end|>\n" +
            "<|im_start|>assistant\n<think>\nnew\n</think>\n\nB1<|im_end|>\n",
            Qwen3ChatTemplate.Instance.Render(messages, addGenerationPrompt: false));
    }
}
