namespace Rlhf.Training.Sft;

/// <summary>
/// An encoded example: token ids and, for each, whether predicting it carries loss (assistant-turn tokens: true;
/// prompt, system, user and template tokens: false). <paramref name="PromptLength"/> is the number of tokens before the
/// first assistant turn (the prompt that samples are generated from).
/// </summary>
public sealed record SftSequence(int[] Ids, bool[] Loss, int PromptLength)
{
    /// <summary>Tokens that carry loss.</summary>
    public int LossTokens => Loss.Count(x => x);
}
