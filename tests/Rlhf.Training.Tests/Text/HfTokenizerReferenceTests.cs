using Rlhf.Training.Text;

namespace Rlhf.Training.Tests.Text;

/// <summary>Qwen3 and Llama 3 tokenizer.json: ids and decoded text equal the references exactly.</summary>
public class HfTokenizerReferenceTests
{
    public static IEnumerable<object[]> Rows() => TokenizerReferences.EncodingRows("qwen3").Concat(TokenizerReferences.EncodingRows("llama3"));

    [Theory]
    [MemberData(nameof(Rows))]
    public void Encodes_and_decodes_like_hugging_face(string model, int index)
    {
        var reference = TokenizerReferences.For(model).GetProperty("encodings")[index];
        var tokenizer = TokenizerReferences.Tokenizer(model);
        var text = reference.GetProperty("text").GetString()!;

        Assert.Equal(TokenizerReferences.Ids(reference.GetProperty("ids")), tokenizer.Encode(text, addSpecialTokens: true));
        Assert.Equal(TokenizerReferences.Ids(reference.GetProperty("ids_without_special_tokens")), tokenizer.Encode(text, addSpecialTokens: false));
        var ids = TokenizerReferences.Ids(reference.GetProperty("ids"));
        Assert.Equal(reference.GetProperty("decoded").GetString(), tokenizer.Decode(ids));
        Assert.Equal(reference.GetProperty("decoded_skipping_special_tokens").GetString(), tokenizer.Decode(ids, skipSpecialTokens: true));
    }
}
