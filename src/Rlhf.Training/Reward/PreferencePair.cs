namespace Rlhf.Training.Reward;

/// <summary>
/// One preference: for <see cref="Prompt"/>, <see cref="Chosen"/> was preferred to <see cref="Rejected"/>.
/// </summary>
/// <param name="Prompt">The plain prompt text; the trainer renders "User: {prompt}\nAssistant: {response}"
/// with <see cref="Text.ConversationTemplate.RenderWithResponse(string, string)"/>.</param>
/// <param name="Chosen">The preferred response.</param>
/// <param name="Rejected">The other response.</param>
/// <param name="Margin">How much better Chosen is (for example from the vote strength); used only with
/// <see cref="RewardTrainingConfig.UseMargin"/>: the loss becomes -log sigmoid(r_c - r_r - margin).</param>
/// <param name="Group">The train/validation split key (the prompt id): pairs of one group are never split.
/// Empty: the prompt text is the key.</param>
public sealed record PreferencePair(string Prompt, string Chosen, string Rejected, double Margin = 0, string Group = "")
{
    /// <summary>The key the split uses: <see cref="Group"/>, or <see cref="Prompt"/> when Group is empty.</summary>
    public string SplitKey => string.IsNullOrEmpty(Group) ? Prompt : Group;
}
