namespace Rlhf.Training.Text;

/// <summary>
/// A model's tokenizer, as the platform uses it: GPT-2's BPE (<see cref="Gpt2Tokenizer"/>) or a Hugging Face
/// tokenizer.json (<see cref="HfTokenizer"/>). Ids match Hugging Face's <c>tokenizer(text)</c> exactly.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>
    /// Token ids of <paramref name="text"/>. Special-token text in the input (e.g. "&lt;|im_end|&gt;") becomes its one id.
    /// With <paramref name="addSpecialTokens"/> the ids get what the tokenizer's own post-processor adds (e.g. Llama 3's
    /// &lt;|begin_of_text|&gt;), as <c>tokenizer(text)</c> does; without, as <c>tokenizer(text, add_special_tokens=False)</c>.
    /// </summary>
    int[] Encode(string text, bool addSpecialTokens);

    /// <summary>The text of the ids; with <paramref name="skipSpecialTokens"/> special tokens are left out.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false);

    /// <summary>Ids 0..VocabSize-1 are valid (the base vocabulary plus the added tokens, like len(tokenizer)).</summary>
    int VocabSize { get; }

    int? BosTokenId { get; }

    int? EosTokenId { get; }

    int? PadTokenId { get; }

    /// <summary>The id of a token given as its text (e.g. "&lt;|im_end|&gt;"), or null when the vocabulary lacks it.</summary>
    int? TokenToId(string token);
}
