namespace Rlhf.Training.Dpo;

/// <summary>
/// One preference pair as token ids, rendered as training renders it (<see cref="DpoEncoding"/>), prompt and completions
/// already cut to max_prompt_length / max_completion_length; the max_length cut happens when a batch is made.
/// </summary>
/// <param name="PairIndex">Index of the pair in the list given to the trainer.</param>
public sealed record DpoExample(int PairIndex, int[] PromptIds, int[] ChosenIds, int[] RejectedIds);
