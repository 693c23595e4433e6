using System.Text.Json.Nodes;
using Rlhf.Training.Text;

namespace Rlhf.Training.Tests.Text;

/// <summary>Loading a model folder's tokenizer and template: tokenizer.json folders, GPT-2 checkpoints, bad folders.</summary>
public class ModelTokenizerTests
{
    [Fact]
    public void Gpt2_checkpoint_gets_gpt2_bpe_and_the_demo_template()
    {
        var loaded = ModelTokenizer.Load(FixturePaths.Lm);
        Assert.Same(Gpt2Tokenizer.Shared, loaded.Tokenizer);
        var (text, ids) = loaded.EncodeChat([ChatMessage.FromUser("Hi"), ChatMessage.FromAssistant("Hello!")], addGenerationPrompt: false);
        Assert.Equal("User: Hi\nAssistant: Hello!", text);
        Assert.Equal(Gpt2Tokenizer.Shared.Encode(text), ids);
        Assert.Equal("User: Hi\nAssistant:", loaded.ChatTemplate.Render([ChatMessage.FromUser("Hi")], addGenerationPrompt: true));
    }

    [Fact]
    public void Special_token_ids_come_from_tokenizer_config()
    {
        var qwen3 = ModelTokenizer.Load(TokenizerReferences.Folder("qwen3")).Tokenizer;
        Assert.Equal(151645, qwen3.EosTokenId);          // <|im_end|>
        Assert.Equal(151643, qwen3.PadTokenId);          // <|endoftext|>
        Assert.Null(qwen3.BosTokenId);
        Assert.Equal(151669, qwen3.VocabSize);           // len(tokenizer): 151643 + 26 added tokens
        Assert.Equal(151644, qwen3.TokenToId("<|im_start|>"));

        var llama3 = ModelTokenizer.Load(TokenizerReferences.Folder("llama3")).Tokenizer;
        Assert.Equal(128000, llama3.BosTokenId);
        Assert.Equal(128001, llama3.EosTokenId);
        Assert.Null(llama3.PadTokenId);
        Assert.Equal(128256, llama3.VocabSize);
        Assert.Equal(128009, llama3.TokenToId("<|eot_id|>"));
        Assert.Null(llama3.TokenToId("<|im_end|>"));
    }

    [Fact]
    public void Missing_or_unknown_folders_are_refused_in_one_line()
    {
        using var temp = new TempFolder();
        var missing = Path.Combine(temp.Path, "nope");
        Assert.Equal($"model folder '{missing}' does not exist.", Assert.Throws<TokenizerException>(() => ModelTokenizer.Load(missing)).Message);
        Assert.Equal($"model folder '{temp.Path}' has no tokenizer.json and is not a GPT-2 checkpoint (config.json model_type \"gpt2\").",
            Assert.Throws<TokenizerException>(() => ModelTokenizer.Load(temp.Path)).Message);

        File.WriteAllText(Path.Combine(temp.Path, "tokenizer.json"), """{"model": {"type": "WordPiece"}}""");
        Assert.Equal("tokenizer.json: model type 'WordPiece' is not supported (byte-level BPE only).",
            Assert.Throws<TokenizerException>(() => ModelTokenizer.Load(temp.Path)).Message);
        File.WriteAllText(Path.Combine(temp.Path, "tokenizer.json"), "{not json");
        Assert.StartsWith($"{Path.Combine(temp.Path, "tokenizer.json")}: not valid JSON",
            Assert.Throws<TokenizerException>(() => ModelTokenizer.Load(temp.Path)).Message);
    }

    /// <summary>Meta's own Llama 3 tokenizer.json adds &lt;|begin_of_text|&gt; through a TemplateProcessing post-processor.</summary>
    [Fact]
    public void Template_processing_post_processor_adds_bos_like_hugging_face()
    {
        using var temp = new TempFolder();
        var section = TokenizerReferences.For("llama3_template_processing");
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizerReferences.Folder("llama3"), "tokenizer.json")))!;
        json["post_processor"] = JsonNode.Parse(section.GetProperty("post_processor").GetRawText());
        File.WriteAllText(Path.Combine(temp.Path, "tokenizer.json"), json.ToJsonString());
        File.Copy(Path.Combine(TokenizerReferences.Folder("llama3"), "tokenizer_config.json"), Path.Combine(temp.Path, "tokenizer_config.json"));
        var tokenizer = HfTokenizer.Load(temp.Path);

        foreach (var reference in section.GetProperty("encodings").EnumerateArray())
        {
            var text = reference.GetProperty("text").GetString()!;
            Assert.Equal(TokenizerReferences.Ids(reference.GetProperty("ids")), tokenizer.Encode(text, addSpecialTokens: true));
            Assert.Equal(TokenizerReferences.Ids(reference.GetProperty("ids_without_special_tokens")), tokenizer.Encode(text, addSpecialTokens: false));
        }
    }

    /// <summary>transformers rebuilds a Llama-class tokenizer's post-processor from add_bos_token / add_eos_token.</summary>
    [Fact]
    public void Add_bos_and_eos_token_from_tokenizer_config()
    {
        using var temp = new TempFolder();
        File.Copy(Path.Combine(TokenizerReferences.Folder("llama3"), "tokenizer.json"), Path.Combine(temp.Path, "tokenizer.json"));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizerReferences.Folder("llama3"), "tokenizer_config.json")))!;
        config["tokenizer_class"] = "LlamaTokenizerFast";
        File.WriteAllText(Path.Combine(temp.Path, "tokenizer_config.json"), config.ToJsonString());
        Assert.Equal(new[] { 128000, 9906, 1917 }, HfTokenizer.Load(temp.Path).Encode("Hello world", addSpecialTokens: true));

        config["add_bos_token"] = false;
        config["add_eos_token"] = true;
        File.WriteAllText(Path.Combine(temp.Path, "tokenizer_config.json"), config.ToJsonString());
        Assert.Equal(new[] { 9906, 1917, 128001 }, HfTokenizer.Load(temp.Path).Encode("Hello world", addSpecialTokens: true));
        Assert.Equal(new[] { 9906, 1917 }, HfTokenizer.Load(temp.Path).Encode("Hello world", addSpecialTokens: false));
    }

    [Fact]
    public void Nfc_normalizer_composes_before_bpe()
    {
        var qwen3 = TokenizerReferences.Tokenizer("qwen3");
        Assert.Equal(qwen3.Encode("caf\u00e9", false), qwen3.Encode("cafe\u0301", false));
        var llama3 = TokenizerReferences.Tokenizer("llama3");  // no normalizer: the decomposed form stays different
        Assert.NotEqual(llama3.Encode("caf\u00e9", false), llama3.Encode("cafe\u0301", false));
    }
}
