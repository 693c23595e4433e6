using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Pretraining;

public class PretrainingTests
{
    public PretrainingTests() => TorchThreads.EnsureConfigured();

    [Fact]
    public void Saved_output_reloads_with_identical_logits()
    {
        using var folder = new TempFolder();
        var config = new PretrainConfig { Seed = 11, Steps = 3, NLayer = 2, NHead = 2, NEmbd = 32, BlockSize = 64, BatchSize = 4, ValidationExamples = 0 };
        var result = Pretrainer.Train(config, Enumerable.Range(0, 8).Select(i => Enumerable.Range(100 * i, 20).ToArray()).ToArray());
        using var trained = result.Model;
        Gpt2Checkpoint.Save(trained, folder.Sub("model"));
        using var reloaded = Gpt2Checkpoint.LoadLanguageModel(folder.Sub("model"));

        Assert.Equal(trained.Config.ToJson(Gpt2Config.LmArchitecture).ToJsonString(),
            reloaded.Config.ToJson(Gpt2Config.LmArchitecture).ToJsonString());
        using var noGrad = no_grad();
        using var ids = tensor(new long[] { 12982, 25, 314, 2497, 616, 9206, 13, 198, 48902, 25 }, [1, 10]);
        using var expected = trained.forward(ids);
        using var actual = reloaded.forward(ids);
        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
    }

    [Fact]
    public void Batches_are_right_padded_and_the_loss_skips_padding()
    {
        using var batch = PretrainBatch.Create([[1, 2, 3, 4], [5, 6]], blockSize: 16, padTokenId: 50256);
        Assert.Equal(new long[] { 2, 3 }, batch.InputIds.shape);
        Assert.Equal(new long[] { 1, 2, 3, 5, 50256, 50256 }, batch.InputIds.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1, 2, 3 }, batch.Positions.data<long>().ToArray());
        Assert.Equal(new long[] { 2, 3, 4, 6 }, batch.Targets.data<long>().ToArray());
        Assert.Equal(4, batch.TokenCount);

        using var cut = PretrainBatch.Create([[1, 2, 3, 4, 5, 6]], blockSize: 3, padTokenId: 0);
        Assert.Equal(new long[] { 1, 2, 3 }, cut.InputIds.data<long>().ToArray());
        Assert.Equal(new long[] { 2, 3, 4 }, cut.Targets.data<long>().ToArray());
    }

    [Fact]
    public void Init_follows_gpt2_with_scaled_residual_projections()
    {
        var config = new PretrainConfig { NLayer = 8, NEmbd = 64, NHead = 4, BlockSize = 64 }.ModelConfig();
        using var model = new Gpt2LMHeadModel(config);
        using var generator = new Generator(3);
        Gpt2Init.Apply(model, generator);
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        double Std(string name) => p[name].std().item<float>();
        Assert.InRange(Std("transformer.wte.weight"), 0.0195, 0.0205);
        Assert.InRange(Std("transformer.h.0.mlp.c_fc.weight"), 0.018, 0.022);
        Assert.InRange(Std("transformer.h.0.attn.c_proj.weight"), 0.02 / 4 * 0.9, 0.02 / 4 * 1.1);   // 0.02 / sqrt(2 * 8)
        Assert.InRange(Std("transformer.h.3.mlp.c_proj.weight"), 0.02 / 4 * 0.9, 0.02 / 4 * 1.1);
        Assert.Equal(0f, p["transformer.h.0.attn.c_attn.bias"].abs().max().item<float>());
        Assert.Equal(1f, p["transformer.h.0.ln_1.weight"].min().item<float>());
        Assert.Equal(1f, p["transformer.ln_f.weight"].max().item<float>());
    }

    [Theory]
    [InlineData("Steps", "steps must be at least 1")]
    [InlineData("NEmbd", "n-embd (30) must be divisible by n-head (4)")]
    [InlineData("BlockSize", "block-size must be between 8 and 1024")]
    [InlineData("LearningRate", "lr must be > 0 (got NaN)")]
    [InlineData("WeightDecay", "weight-decay must be >= 0 (got Infinity)")]
    [InlineData("Examples", "examples must be at least 1")]
    public void Bad_settings_are_named_in_one_line(string field, string message)
    {
        var config = field switch
        {
            "Steps" => new PretrainConfig { Steps = 0 },
            "NEmbd" => new PretrainConfig { NEmbd = 30, NHead = 4 },
            "BlockSize" => new PretrainConfig { BlockSize = 4 },
            "LearningRate" => new PretrainConfig { LearningRate = double.NaN },
            "WeightDecay" => new PretrainConfig { WeightDecay = double.PositiveInfinity },
            _ => new PretrainConfig { Examples = 0 },
        };
        Assert.StartsWith(message, config.Problem());
        Assert.Null(new PretrainConfig().Problem());
        Assert.Throws<ArgumentException>(() => Pretrainer.Train(config, [[1, 2, 3]]));
    }
}
