namespace Rlhf.Training.Sft;

/// <summary>
/// A reply the model wrote during training to one of the fixed validation prompts (greedy, so samples of different steps
/// compare): the prompt's last user message, the decoded reply (without its stop token) and whether it stopped by itself.
/// </summary>
public sealed record SftSample(long Step, string Prompt, string Response, bool HasEos);
