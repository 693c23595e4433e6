namespace Rlhf.Training.Dpo;

/// <summary>
/// TRL's truncation of one preference row (DataCollatorForPreference, plus the older max_prompt_length /
/// max_completion_length): the prompt keeps its last MaxPromptLength tokens, each completion its first
/// MaxCompletionLength, then prompt + completion is cut to MaxLength: "keep_start" keeps the first MaxLength tokens,
/// "keep_end" the last. Which tokens are completion tokens (the loss mask) is cut the same way.
/// </summary>
public static class DpoTruncation
{
    public const string KeepStart = "keep_start";
    public const string KeepEnd = "keep_end";

    /// <summary>The kept prompt ids (before the max-length cut).</summary>
    public static int[] Prompt(int[] promptIds, int? maxPromptLength) =>
        maxPromptLength is { } m && promptIds.Length > m ? promptIds[^m..] : promptIds;

    /// <summary>The kept completion ids (before the max-length cut).</summary>
    public static int[] Completion(int[] completionIds, int? maxCompletionLength) =>
        maxCompletionLength is { } m && completionIds.Length > m ? completionIds[..m] : completionIds;

    /// <summary>prompt + completion cut to <paramref name="maxLength"/>, and how many of the kept tokens (at the start) are prompt.</summary>
    public static (int[] Ids, int PromptTokens) Row(int[] promptIds, int[] completionIds, int maxLength, string mode)
    {
        int[] all = [.. promptIds, .. completionIds];
        if (all.Length <= maxLength) return (all, promptIds.Length);
        return mode == KeepEnd
            ? (all[^maxLength..], Math.Max(0, promptIds.Length - (all.Length - maxLength)))
            : (all[..maxLength], Math.Min(promptIds.Length, maxLength));
    }
}
