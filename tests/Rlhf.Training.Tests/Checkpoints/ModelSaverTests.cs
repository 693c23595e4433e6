using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Checkpoints;

/// <summary>A trained causal LM of either family saved by <see cref="ModelSaver"/> loads back with the same logits and its companion files.</summary>
public class ModelSaverTests
{
    public ModelSaverTests() => TorchThreads.EnsureConfigured();

    [Theory]
    [InlineData("gpt2-tiny-lm")]
    [InlineData("qwen3-tiny")]
    public void Saved_model_loads_back_with_the_same_logits(string fixture)
    {
        using var folder = new TempFolder();
        var source = folder.CopyOf(FixturePaths.Of(fixture), "source");
        File.WriteAllText(Path.Combine(source, "tokenizer_config.json"), """{"model_max_length": 256}""");
        using var model = ModelLoader.LoadLanguageModel(source);
        var outFolder = folder.Sub("out");
        ModelSaver.Save(model, source, outFolder);

        using var loaded = ModelLoader.LoadLanguageModel(outFolder);
        Assert.Equal(model.ModelType, loaded.ModelType);
        Assert.Equal(File.ReadAllText(Path.Combine(source, "tokenizer_config.json")), File.ReadAllText(Path.Combine(outFolder, "tokenizer_config.json")));
        using var noGrad = no_grad();
        using var ids = tensor(new long[] { 5, 17, 42, 99, 3 }, [1, 5]);
        using var expected = model.forward(ids);
        using var actual = loaded.forward(ids);
        Assert.True(expected.allclose(actual, rtol: 0, atol: 1e-6), $"max difference {(expected - actual).abs().max().item<float>()}");
    }
}
