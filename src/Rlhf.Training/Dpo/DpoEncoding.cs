using Rlhf.Training.Reward;
using Rlhf.Training.Text;

namespace Rlhf.Training.Dpo;

/// <summary>
/// Renders and tokenizes preference pairs as TRL's DPOTrainer does for a conversational record with the model's chat
/// template: prompt ids = the template of [user: prompt] with the generation prompt; the completion ids are what the
/// template of [user: prompt, assistant: response] adds after them. The GPT-2 demo template is plain text, so, as TRL
/// does for plain-text records, the EOS token is appended to each completion. Prompt and completions are then cut to
/// max_prompt_length / max_completion_length (<see cref="DpoTruncation"/>).
/// <para>Pairs a DPO step cannot learn from are skipped, each with its reason: an empty chosen or rejected response,
/// chosen and rejected identical, and (with "keep_start") a prompt of max_length tokens or more, whose completions
/// would be cut away entirely (TRL drops those too).</para>
/// </summary>
public static class DpoEncoding
{
    public static (List<DpoExample> Examples, List<DpoSkippedPair> Skipped) Encode(ModelTokenizer tokenizer, IReadOnlyList<PreferencePair> pairs,
        DpoConfig config, int maxLength)
    {
        var examples = new List<DpoExample>();
        var skipped = new List<DpoSkippedPair>();
        for (var i = 0; i < pairs.Count; i++)
        {
            var p = pairs[i];
            if (string.IsNullOrWhiteSpace(p.Chosen)) { skipped.Add(new(i, "the chosen response is empty")); continue; }
            if (string.IsNullOrWhiteSpace(p.Rejected)) { skipped.Add(new(i, "the rejected response is empty")); continue; }
            if (p.Chosen.Trim() == p.Rejected.Trim()) { skipped.Add(new(i, "chosen and rejected are identical")); continue; }
            var (promptIds, chosenIds, rejectedIds) = EncodePair(tokenizer, p.Prompt, p.Chosen, p.Rejected);
            promptIds = DpoTruncation.Prompt(promptIds, config.MaxPromptLength);
            if (config.TruncationMode == DpoTruncation.KeepStart && promptIds.Length >= maxLength)
            {
                skipped.Add(new(i, $"the prompt has {promptIds.Length} tokens, max length is {maxLength}: nothing of the responses would be left"));
                continue;
            }
            examples.Add(new DpoExample(i, promptIds, DpoTruncation.Completion(chosenIds, config.MaxCompletionLength),
                DpoTruncation.Completion(rejectedIds, config.MaxCompletionLength)));
        }
        return (examples, skipped);
    }

    /// <summary>Prompt ids and the two completions' ids, untruncated.</summary>
    public static (int[] Prompt, int[] Chosen, int[] Rejected) EncodePair(ModelTokenizer tokenizer, string prompt, string chosen, string rejected)
    {
        ChatMessage[] messages = [ChatMessage.FromUser(prompt)];
        var (_, promptIds) = tokenizer.EncodeChat(messages, addGenerationPrompt: true);
        return (promptIds, Completion(tokenizer, messages, promptIds.Length, chosen), Completion(tokenizer, messages, promptIds.Length, rejected));
    }

    private static int[] Completion(ModelTokenizer tokenizer, ChatMessage[] prompt, int promptTokens, string response)
    {
        var (_, ids) = tokenizer.EncodeChat([.. prompt, ChatMessage.FromAssistant(response)], addGenerationPrompt: false);
        var completion = ids[Math.Min(promptTokens, ids.Length)..];
        return tokenizer.ChatTemplate is Gpt2ChatTemplate && tokenizer.Tokenizer.EosTokenId is { } eos ? [.. completion, eos] : completion;
    }
}
