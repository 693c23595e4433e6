using Rlhf.Training.Text;

namespace Rlhf.Training.Tests.Text;

public class TokenizerTests
{
    [Fact]
    public void Hello_world_encodes_to_the_gpt2_ids()
    {
        Assert.Equal(new[] { 15496, 995 }, Gpt2Tokenizer.Shared.Encode("Hello world"));
        Assert.Equal(50256, Gpt2Tokenizer.Shared.EosTokenId);
        Assert.Equal(50256, Gpt2Tokenizer.Shared.PadTokenId);
    }

    [Fact]
    public void Fixture_sentences_encode_to_the_fixture_ids()
    {
        Assert.Equal(new[] { 15496, 995, 11, 428, 318, 257, 1332, 13 }, Gpt2Tokenizer.Shared.Encode("Hello world, this is a test."));
        Assert.Equal(new[] { 40, 588, 340, 845, 881 }, Gpt2Tokenizer.Shared.Encode("I like it very much"));
    }

    [Theory]
    [InlineData("Hello world")]
    [InlineData("User: What's 2+2?\nAssistant: 4, naïvely — ünïcødé 🙂")]
    [InlineData("  leading and trailing spaces  ")]
    public void Decode_round_trips(string text)
    {
        var tokenizer = Gpt2Tokenizer.Shared;
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void End_of_text_is_one_special_token_and_can_be_skipped()
    {
        var tokenizer = Gpt2Tokenizer.Shared;
        var ids = tokenizer.Encode("Hi<|endoftext|>");
        Assert.Equal(50256, ids[^1]);
        Assert.Equal("Hi<|endoftext|>", tokenizer.Decode(ids));
        Assert.Equal("Hi", tokenizer.Decode(ids, skipSpecialTokens: true));
    }

    [Fact]
    public void Gpt2_behind_the_tokenizer_interface_adds_no_special_tokens()
    {
        ITextTokenizer tokenizer = Gpt2Tokenizer.Shared;
        Assert.Equal(new[] { 15496, 995 }, tokenizer.Encode("Hello world", addSpecialTokens: true));
        Assert.Equal(new[] { 15496, 995 }, tokenizer.Encode("Hello world", addSpecialTokens: false));
        Assert.Equal(50256, tokenizer.TokenToId("<|endoftext|>"));
        Assert.Equal(15496, tokenizer.TokenToId("Hello"));
        Assert.Null(tokenizer.TokenToId("Hello world"));
        Assert.Equal(50256, tokenizer.EosTokenId);
        Assert.Equal(50257, tokenizer.VocabSize);
    }

    [Fact]
    public void Parse_ids()
    {
        Assert.Equal(new[] { 15496, 995, 11 }, Gpt2Tokenizer.ParseIds("15496,995,11"));
        Assert.Equal(new[] { 1, 2 }, Gpt2Tokenizer.ParseIds(" 1, 2 "));
        Assert.Equal("'x' is not a token id (expected comma-separated integers)", Assert.Throws<FormatException>(() => Gpt2Tokenizer.ParseIds("1,x")).Message);
        Assert.Equal("'-1' is not a token id (expected comma-separated integers)", Assert.Throws<FormatException>(() => Gpt2Tokenizer.ParseIds("-1")).Message);
        Assert.Equal("token id 50257 is outside the vocabulary (0..50256)", Assert.Throws<FormatException>(() => Gpt2Tokenizer.ParseIds("50257")).Message);
        Assert.Equal("no token ids given", Assert.Throws<FormatException>(() => Gpt2Tokenizer.ParseIds(" , ")).Message);
    }

    [Fact]
    public void Template_renders_prompts_conversations_and_scored_responses()
    {
        Assert.Equal("User: What is 2+2?\nAssistant:", ConversationTemplate.RenderPrompt("What is 2+2?"));
        Assert.Equal("User: What is 2+2?\nAssistant: 4.", ConversationTemplate.RenderWithResponse("What is 2+2?", "4."));
        Assert.Equal("User: What is 2+2?\nAssistant: 4.", ConversationTemplate.RenderWithResponse(" What is 2+2? ", " 4.\n"));

        ChatMessage[] conversation =
        [
            ChatMessage.FromSystem("Be brief."),
            ChatMessage.FromUser("Hi"),
            ChatMessage.FromAssistant("Hello!"),
            new("User", "Name a colour"),
        ];
        Assert.Equal("System: Be brief.\nUser: Hi\nAssistant: Hello!\nUser: Name a colour\nAssistant:", ConversationTemplate.Render(conversation));
        Assert.Equal("System: Be brief.\nUser: Hi\nAssistant: Hello!\nUser: Name a colour\nAssistant: Blue.",
            ConversationTemplate.RenderWithResponse(conversation, "Blue."));

        Assert.Throws<ArgumentException>(() => ConversationTemplate.Render([]));
        Assert.Throws<ArgumentException>(() => ConversationTemplate.Render([new ChatMessage("robot", "x")]));

        // A sampled response (starting with a space token) gives the same tokens as prompt + response.
        var tokenizer = Gpt2Tokenizer.Shared;
        var prompt = tokenizer.Encode(ConversationTemplate.RenderPrompt("Hi"));
        var response = tokenizer.Encode(" Hello there");
        var scored = tokenizer.Encode(ConversationTemplate.RenderWithResponse("Hi", tokenizer.Decode(response)));
        Assert.Equal(prompt.Concat(response).ToArray(), scored);
    }
}
