using System.Globalization;
using System.Text.Json.Nodes;
using Rlhf.Training.Models;
using Rlhf.Training.Optim;

namespace Rlhf.Training.Pretraining;

/// <summary>
/// Settings of <see cref="Pretrainer"/>: the model shape, the optimiser (AdamW, betas 0.9/0.95, weight
/// decay on 2-D weights only), the schedule (linear warm-up, cosine decay to <see cref="MinLearningRate"/>)
/// and the data (<see cref="Examples"/> conversations, <see cref="BatchSize"/> conversations a step).
/// The defaults are the recipe of the shipped demo policy (models/demo-policy, docs/demo-model.md).
/// </summary>
public sealed record PretrainConfig
{
    /// <summary>Seeds the corpus, the weight initialisation (torch.Generator) and the data order (System.Random).</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>Optimiser steps.</summary>
    public int Steps { get; init; } = 1200;

    public int NLayer { get; init; } = 6;
    public int NHead { get; init; } = 4;
    public int NEmbd { get; init; } = 96;

    /// <summary>Longest input (n_positions of the saved model). Longer conversations are cut to BlockSize + 1 tokens.</summary>
    public int BlockSize { get; init; } = 256;

    /// <summary>Conversations per step (each one row, right-padded to the longest in the batch).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Peak learning rate, reached after the warm-up.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Learning rate at the end of the cosine decay; null = LearningRate / 10.</summary>
    public double? MinLearningRate { get; init; }

    /// <summary>Linear warm-up steps (at most Steps / 10 are used).</summary>
    public int WarmupSteps { get; init; } = 100;

    public double WeightDecay { get; init; } = 0.1;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.95;
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Gradients are clipped to this global L2 norm.</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>Number of conversations the caller draws with <see cref="Seed"/> to train on (`rlhf pretrain`: the demo corpus).</summary>
    public int Examples { get; init; } = 20000;

    /// <summary>Held-out conversations (another seed) for the final validation loss; 0 = none.</summary>
    public int ValidationExamples { get; init; } = 256;

    /// <summary>Report progress every this many steps (and at the last step).</summary>
    public int LogInterval { get; init; } = 10;

    public double EffectiveMinLearningRate => MinLearningRate ?? LearningRate / 10;

    public int EffectiveWarmupSteps => Math.Min(WarmupSteps, Steps / 10);

    /// <summary>The GPT-2 config of the model this trains: GPT-2 vocabulary, n_positions = BlockSize, no dropout.</summary>
    public Gpt2Config ModelConfig() => new()
    {
        VocabSize = 50257,
        NPositions = BlockSize,
        NEmbd = NEmbd,
        NLayer = NLayer,
        NHead = NHead,
        PadTokenId = Gpt2Config.EndOfTextTokenId,
        // Trained without dropout: say so, so Hugging Face does not add its 0.1 defaults when fine-tuning.
        Extra = new JsonObject { ["attn_pdrop"] = 0.0, ["embd_pdrop"] = 0.0, ["resid_pdrop"] = 0.0 },
    };

    /// <summary>Null when the settings are usable, else a one-line reason naming the option.</summary>
    public string? Problem()
    {
        static string F(double x) => x.ToString(CultureInfo.InvariantCulture);
        if (Steps < 1) return $"steps must be at least 1 (got {Steps})";
        if (NLayer < 1) return $"n-layer must be at least 1 (got {NLayer})";
        if (NHead < 1) return $"n-head must be at least 1 (got {NHead})";
        if (NEmbd < 1) return $"n-embd must be at least 1 (got {NEmbd})";
        if (NEmbd % NHead != 0) return $"n-embd ({NEmbd}) must be divisible by n-head ({NHead})";
        if (BlockSize is < 8 or > 1024) return $"block-size must be between 8 and 1024 (got {BlockSize})";
        if (BatchSize < 1) return $"batch-size must be at least 1 (got {BatchSize})";
        if (AdamWChecks.LearningRate(LearningRate) is string lr) return $"lr {lr}";
        if (MinLearningRate is double min && (!(min >= 0) || min > LearningRate))
            return $"min-lr must be between 0 and lr (got {F(min)})";
        if (WarmupSteps < 0) return $"warmup must be at least 0 (got {WarmupSteps})";
        if (AdamWChecks.WeightDecay(WeightDecay) is string weightDecay) return $"weight-decay {weightDecay}";
        if (!(GradClip > 0)) return $"grad-clip must be positive (got {F(GradClip)})";
        if (Examples < 1) return $"examples must be at least 1 (got {Examples})";
        if (ValidationExamples < 0) return $"validation-examples must be at least 0 (got {ValidationExamples})";
        if (LogInterval < 1) return $"log-every must be at least 1 (got {LogInterval})";
        return null;
    }
}
