using Rlhf.Training.Text;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// A model folder's tokenizer and chat template, checked for use by a run: the template renders a conversation (so a
/// model whose template the platform cannot render is refused before any training, with the message naming it) and,
/// given the model's vocab_size, every id the tokenizer can produce is inside the model's vocabulary. Every problem is
/// a <see cref="CheckpointException"/> naming the folder.
/// </summary>
public static class ModelTokenizers
{
    private static readonly ChatMessage[] Probe = [ChatMessage.FromUser("Hello")];

    /// <summary><see cref="ModelTokenizer.Load"/>, with the chat template checked to render (and, given <paramref name="vocabSize"/>, the vocabulary to fit).</summary>
    public static ModelTokenizer LoadRenderable(string folder, int? vocabSize = null)
    {
        ModelTokenizer tokenizer;
        try
        {
            tokenizer = ModelTokenizer.Load(folder);
            tokenizer.ChatTemplate.Render(Probe, addGenerationPrompt: true);
        }
        catch (TokenizerException e)
        {
            throw new CheckpointException(folder, e.Message, e);
        }
        if (vocabSize is int size && tokenizer.Tokenizer.VocabSize > size)
            throw new CheckpointException(folder,
                $"the tokenizer has {tokenizer.Tokenizer.VocabSize} tokens but the model's vocab_size is {size}: ids {size}..{tokenizer.Tokenizer.VocabSize - 1} have no embedding");
        return tokenizer;
    }

    /// <summary>
    /// The token that ends an assistant turn in this model's chat template, among its eos ids: the first of
    /// <paramref name="eosTokenIds"/> in a rendered two-turn conversation (Qwen: &lt;|im_end|&gt;, Llama 3: &lt;|eot_id|&gt;);
    /// the first eos id when the template writes none (the GPT-2 demo template); null without eos ids.
    /// </summary>
    public static int? EndOfTurnTokenId(ModelTokenizer tokenizer, IReadOnlyList<int> eosTokenIds)
    {
        if (eosTokenIds.Count == 0) return null;
        var text = tokenizer.ChatTemplate.Render([ChatMessage.FromUser("Hi"), ChatMessage.FromAssistant("Hello")], addGenerationPrompt: false);
        var ids = tokenizer.Tokenizer.Encode(text, addSpecialTokens: false);
        return ids.FirstOrDefault(eosTokenIds.Contains, eosTokenIds[0]);
    }
}
