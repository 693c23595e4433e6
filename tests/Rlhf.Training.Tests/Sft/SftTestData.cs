using Rlhf.Training.Sft;

namespace Rlhf.Training.Tests.Sft;

/// <summary>
/// Demonstrations with a rule a tiny model can pick up in a few steps: "How do I {task}?" is answered
/// "To {task}, start slowly." (the reply repeats the task), 12 tasks x 3 phrasings, grouped by prompt.
/// </summary>
internal static class SftTestData
{
    private static readonly string[] Templates = ["How do I {0}?", "What is the way to {0}?", "Tell me how to {0}."];

    public static readonly string[] Tasks =
    [
        "bake bread", "fix a bike", "learn french", "plant tomatoes", "write a poem", "clean a window",
        "tie a knot", "paint a wall", "train a dog", "save money", "cook rice", "study for a test",
    ];

    public static List<SftExample> Examples(IEnumerable<string> tasks) =>
        tasks.SelectMany(task => Templates.Select(t => SftExample.FromPromptCompletion(string.Format(t, task), $"To {task}, start slowly."))).ToList();
}
