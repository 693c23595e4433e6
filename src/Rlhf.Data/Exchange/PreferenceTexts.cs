using Rlhf.Core.Projects;

namespace Rlhf.Data.Exchange;

/// <summary>The texts of a selected preference pair: the prompt (plain or a conversation), the chosen and the rejected response.</summary>
public sealed record PreferenceTexts(Prompt Prompt, string Chosen, string Rejected);
