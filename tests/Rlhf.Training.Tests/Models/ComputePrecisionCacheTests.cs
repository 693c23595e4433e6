using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Models;

/// <summary>
/// The bf16 weight cache of <see cref="ComputePrecision"/>: two copies of the llama-tiny fixture (tied LM head, so the
/// embedding's cached copy is covered too), one casting on every call, train side by side with AdamW. Each step's
/// loss and float32 gradients must be bit-identical, which fails if a cached copy missed the optimizer's write (stale
/// weights) or lost the cast's autograd node (no gradient to the master).
/// </summary>
public class ComputePrecisionCacheTests
{
    private static readonly long[] Ids = [5, 9, 14, 3, 7, 11, 2, 8, 1, 6, 12, 4];

    [Fact]
    public void Cached_bf16_weights_give_the_uncached_gradients_and_follow_every_optimizer_step()
    {
        using var cached = (LlamaForCausalLM)ModelLoader.LoadLanguageModel(LlamaFixtureCase.Folder("llama-tiny"));
        using var uncached = (LlamaForCausalLM)ModelLoader.LoadLanguageModel(LlamaFixtureCase.Folder("llama-tiny"));
        cached.ComputeDtype = uncached.ComputeDtype = ScalarType.BFloat16;
        var precision = cached.Model.Precision;
        uncached.Model.Precision.CacheWeights = false;
        using var cachedOptimizer = new FusedAdamW(cached.named_parameters().Select(p => (p.name, p.parameter)), eps: 1e-8, weightDecay: 0.01);
        using var uncachedOptimizer = new FusedAdamW(uncached.named_parameters().Select(p => (p.name, p.parameter)), eps: 1e-8, weightDecay: 0.01);

        for (var step = 0; step < 3; step++)
        {
            var cachedLoss = Step(cached);
            var uncachedLoss = Step(uncached);
            Assert.Equal(uncachedLoss, cachedLoss);                                   // forward on the same bf16 weights
            foreach (var ((name, p), (_, q)) in cached.named_parameters().Zip(uncached.named_parameters()))
            {
                Assert.NotNull(p.grad);
                Assert.Equal(ScalarType.Float32, p.grad!.dtype);
                Assert.True(p.grad.abs().sum().item<float>() > 0, $"{name}: zero gradient at step {step}");
                using var diff = (p.grad - q.grad!).abs().max();
                Assert.True(diff.item<float>() == 0, $"{name}: gradient differs from the uncached path by {diff.item<float>()} at step {step}");
            }
            cachedOptimizer.Step(learningRate: 1e-2, maxGradNorm: 1.0);             // writes the masters: the copies are stale
            uncachedOptimizer.Step(learningRate: 1e-2, maxGradNorm: 1.0);
            cachedOptimizer.ZeroGrad();
            uncachedOptimizer.ZeroGrad();
        }
        Assert.Equal(0, uncached.Model.Precision.CachedWeightCount);
        Assert.True(cached.parameters().Count(p => p.dim() == 2) == precision.CachedWeightCount, $"{precision.CachedWeightCount} cached, {cached.parameters().Count(p => p.dim() == 2)} matrices");   // every matmul weight, once

        // A frozen model (no_grad, no optimizer): one cast, then the same copy at every call; float32 holds none.
        using (no_grad())
        {
            var embedding = cached.Model.TokenEmbeddingWeight;
            var first = precision.Weight(embedding);
            using (var ids = tensor(Ids, [2, 6])) cached.forward(ids).Dispose();
            Assert.Same(first, precision.Weight(embedding));
            Assert.Equal(ScalarType.BFloat16, first.dtype);
            cached.ComputeDtype = ScalarType.Float32;
            Assert.Equal(0, precision.CachedWeightCount);
            Assert.Same(embedding, precision.Weight(embedding));
        }
    }

    /// <summary>Forward + backward of the next-token loss on fixed ids; returns the loss.</summary>
    private static float Step(LlamaForCausalLM lm)
    {
        using var scope = NewDisposeScope();
        var ids = tensor(Ids, [2, 6]);                                                  // [B, T]
        var logits = lm.forward(ids);                                                   // [B, T, V] float32
        var next = ids.narrow(1, 1, 5);                                                 // [B, T - 1]
        var loss = -logits.narrow(1, 0, 5).log_softmax(-1).gather(-1, next.unsqueeze(-1)).mean();
        loss.backward();
        return loss.item<float>();
    }
}
