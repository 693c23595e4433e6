using Rlhf.Training.Text;

namespace Rlhf.Training.Sft;

/// <summary>
/// Completion-only (assistant-only) masking, from the model's own chat template. The conversation is rendered once,
/// F = Render(messages). Each assistant turn i is located in F by rendering around it:
/// <list type="bullet">
/// <item>it starts where Render(messages[..i], add_generation_prompt) ends (which must be a prefix of F);</item>
/// <item>it ends after the longest tail of its own rendering, Render(messages[..i+1]) past that start, that F continues
/// with: the reply and the template's end of turn (e.g. "Hi<|im_end|>\n"), even where a template renders a turn
/// differently once later turns follow (Qwen3 drops an earlier turn's &lt;think&gt; block).</item>
/// </list>
/// F is cut into spans at those points and each span is tokenized on its own (no special tokens added: the template
/// holds them), so the prompt's ids are exactly what generation feeds the model. Assistant spans carry loss, the rest
/// does not. A template that marks no end of turn (GPT-2's demo "User:/Assistant:" text) gets the tokenizer's EOS
/// after the last assistant turn, with loss, so the model learns to stop (as TRL appends EOS to plain completions).
/// Too long: a prompt (the tokens before the first assistant turn) longer than maxLength - 1 is an error; otherwise the
/// sequence is cut at maxLength tokens (the end of the last turn is dropped), as TRL truncates.
/// </summary>
public static class SftEncoding
{
    /// <summary>The example's ids and loss mask; <see cref="FormatException"/> (without the example's name) when it cannot be used.</summary>
    public static SftSequence Encode(SftExample example, ModelTokenizer tokenizer, int maxLength)
    {
        var messages = example.Messages;
        var template = tokenizer.ChatTemplate;
        string full;
        var spans = new List<(int Start, int End)>();
        try
        {
            full = template.Render(messages, addGenerationPrompt: false);
            for (var i = 0; i < messages.Count; i++)
            {
                if (messages[i].Role != ChatMessage.Assistant) continue;
                var before = template.Render(messages.Take(i).ToList(), addGenerationPrompt: true);
                if (!full.StartsWith(before, StringComparison.Ordinal))
                    throw new FormatException($"the {template.Name} chat template renders the conversation before assistant turn {i + 1} differently on its own");
                var turn = template.Render(messages.Take(i + 1).ToList(), addGenerationPrompt: false)[before.Length..];
                var end = before.Length + LongestTailContinuing(full, before.Length, turn);
                if (end == before.Length) throw new FormatException($"the {template.Name} chat template does not render assistant turn {i + 1} where expected");
                spans.Add((before.Length, end));
            }
        }
        catch (TokenizerException e)
        {
            throw new FormatException(e.Message.TrimEnd('.'));
        }
        if (spans.Count == 0) throw new FormatException("the messages have no assistant turn: there is nothing to learn");

        var ids = new List<int>();
        var loss = new List<bool>();
        void Add(string text, bool carriesLoss)
        {
            if (text.Length == 0) return;
            foreach (var id in tokenizer.Tokenizer.Encode(text, addSpecialTokens: false))
            {
                ids.Add(id);
                loss.Add(carriesLoss);
            }
        }
        var at = 0;
        var promptLength = -1;
        foreach (var (start, end) in spans)
        {
            Add(full[at..start], false);
            if (promptLength < 0) promptLength = ids.Count;
            Add(full[start..end], true);
            at = end;
        }
        Add(full[at..], false);
        if (template is Gpt2ChatTemplate && tokenizer.Tokenizer.EosTokenId is { } eos && spans[^1].End == full.Length)
        {
            ids.Add(eos);
            loss.Add(true);
        }

        if (promptLength > maxLength - 1)
            throw new FormatException($"the prompt is {promptLength} tokens, longer than the maximum length {maxLength} allows (at most {maxLength - 1}, room for one reply token)");
        if (ids.Count > maxLength)
        {
            ids.RemoveRange(maxLength, ids.Count - maxLength);
            loss.RemoveRange(maxLength, loss.Count - maxLength);
        }
        return new SftSequence([.. ids], [.. loss], promptLength);
    }

    /// <summary>The length of the longest tail of <paramref name="turn"/> that <paramref name="full"/> continues with at <paramref name="start"/>.</summary>
    private static int LongestTailContinuing(string full, int start, string turn)
    {
        var rest = full.AsSpan(start);
        for (var skip = 0; skip < turn.Length; skip++)
            if (rest.StartsWith(turn.AsSpan(skip), StringComparison.Ordinal)) return turn.Length - skip;
        return 0;
    }
}
