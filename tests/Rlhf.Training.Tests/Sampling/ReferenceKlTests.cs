using Rlhf.Testing;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Sampling;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Sampling;

public sealed class ReferenceKlTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rlhf-reference-kl", Guid.NewGuid().ToString("N"));

    public ReferenceKlTests() => TorchThreads.EnsureConfigured();

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private static readonly string[] Prompts = ["Hello there", "Where is my parcel?", "Thanks"];

    [Fact]
    public void A_policy_has_zero_kl_to_itself_and_a_positive_one_to_a_moved_copy()
    {
        var (kl, responses) = ReferenceKl.Estimate(FixturePaths.Lm, FixturePaths.Lm, Prompts, maxNewTokens: 6, temperature: 0.7, seed: 3, samplesPerPrompt: 3, batchSize: 4);
        Assert.Equal(9, responses);                 // 3 prompts x 3 samples, in 3 batches (4, 4, 1)
        Assert.Equal(0.0, kl, 6);                   // the same model's log-probs cancel token by token

        // A copy with every weight moved: its samples are far more likely under itself than under the reference.
        using (var model = ModelLoader.LoadLanguageModel(FixturePaths.Lm))
        {
            manual_seed(0);
            using (no_grad())
                foreach (var p in model.Module.parameters()) p.add_(randn_like(p) * 0.5);
            ModelSaver.Save(model, FixturePaths.Lm, _folder);
        }
        var (moved, _) = ReferenceKl.Estimate(_folder, FixturePaths.Lm, Prompts, maxNewTokens: 6, temperature: 0.7, seed: 3, samplesPerPrompt: 3, batchSize: 4);
        Assert.True(moved > 0.5, $"KL of the moved copy {moved}");
        Assert.Throws<ArgumentException>(() => ReferenceKl.Estimate(FixturePaths.Lm, FixturePaths.Lm, [], 6, 0.7, 3));
    }
}
