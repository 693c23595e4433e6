using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Pretraining;
using Rlhf.Training.Reward;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Reward;

/// <summary>
/// A synthetic preference set with a hidden rule, and a tiny random-init GPT-2 base for the reward tests.
/// <para>Rule: the raters prefer the polite response. Both responses of a pair are the same instruction with one
/// extra word inserted at the same random place: a polite word (" please", " thanks", ...) in the chosen one, a
/// rude word (" idiot", " whatever", ...) in the rejected one. Every marker is one GPT-2 token, so the two rows
/// have the same length and end with the same token: the model must attend back to the marker, and at
/// initialisation the two rewards are almost equal (first loss ~ ln 2).</para>
/// </summary>
internal static class RewardTestData
{
    public static readonly string[] Polite = [" please", " thanks", " kindly", " dear", " gladly"];
    public static readonly string[] Rude = [" idiot", " whatever", " stupid", " fool", " loser"];

    private static readonly string[] Templates = ["How do I {0}?", "What is the best way to {0}?", "Can you tell me how to {0}?"];

    private static readonly string[] Tasks =
    [
        "bake bread", "fix a bike", "learn french", "plant tomatoes", "write a poem", "clean a window",
        "tie a knot", "paint a wall", "train a dog", "save money", "cook rice", "study for a test",
    ];

    private static readonly string[] Steps =
    [
        "mix the flour", "wash the bowl", "read the guide", "check the tools", "open the box", "call a friend",
        "take a break", "write it down", "ask for help", "measure twice", "start slowly", "clean up after",
    ];

    /// <summary>pairsPerPrompt pairs for each of the 36 prompts; Group is the prompt's index.</summary>
    public static List<PreferencePair> Pairs(int pairsPerPrompt, int seed)
    {
        var random = new Random(seed);
        var result = new List<PreferencePair>();
        var promptId = 0;
        foreach (var task in Tasks)
        foreach (var template in Templates)
        {
            var prompt = string.Format(template, task);
            for (var k = 0; k < pairsPerPrompt; k++)
            {
                var first = Steps[random.Next(Steps.Length)];
                var second = Steps[random.Next(Steps.Length)];
                var words = $"First {first} and then {second}".Split(' ');
                var at = 1 + random.Next(words.Length);   // insert after word at-1 (possibly at the end)
                string With(string marker) => string.Join(' ', words[..at]) + marker + (at < words.Length ? " " + string.Join(' ', words[at..]) : "") + ".";
                var polite = Polite[random.Next(Polite.Length)];
                var rude = Rude[random.Next(Rude.Length)];
                result.Add(new PreferencePair(prompt, With(polite), With(rude), Margin: 1 + random.Next(2), Group: $"p{promptId}"));
            }
            promptId++;
        }
        return result;
    }

    /// <summary>Saves a random-init GPT-2 LM (GPT-2 init, real GPT-2 vocabulary) to folder and returns the folder.</summary>
    public static string SaveTinyBase(string folder, int nLayer = 2, int nEmbd = 64, int nHead = 4, int nPositions = 64, int seed = 7)
    {
        var config = new Gpt2Config
        {
            VocabSize = 50257, NPositions = nPositions, NEmbd = nEmbd, NLayer = nLayer, NHead = nHead,
            PadTokenId = Gpt2Config.EndOfTextTokenId,
        };
        using var model = new Gpt2LMHeadModel(config);
        using var generator = new Generator((ulong)seed);
        Gpt2Init.Apply(model, generator);
        Gpt2Checkpoint.Save(model, folder);
        return folder;
    }
}
