using Rlhf.Jobs.Runner;

namespace Rlhf.Jobs.Generation;

/// <summary>
/// A generation job: sample <see cref="ResponsesPerPrompt"/> responses to every prompt of a project from one or
/// two registry models, then pair them into comparisons.
/// </summary>
public sealed record GenerationRequest : IJobRequest
{
    public int ProjectId { get; init; }
    /// <summary>One or two models. With two, pairs set one model's response against the other's.</summary>
    public IReadOnlyList<int> ModelIds { get; init; } = [];
    public int ResponsesPerPrompt { get; init; } = 2;
    public int MaxNewTokens { get; init; } = 48;
    public double Temperature { get; init; } = 0.8;
    public double TopP { get; init; } = 0.95;
    public int TopK { get; init; }
    public long Seed { get; init; } = 1234;
    /// <summary>Prompts per sampling batch (each expanded to ResponsesPerPrompt rows).</summary>
    public int PromptsPerBatch { get; init; } = 8;
    /// <summary>
    /// The matmuls' dtype while sampling: "float32" (the default, the exact maths) or "bf16" (float32 norms, softmax and
    /// sampling; about 2x float32's decoding speed on a CPU with AVX512-BF16, BENCHMARKS.md).
    /// </summary>
    public string ComputeDtype { get; init; } = "float32";

    /// <summary>Every problem with the request, each a sentence naming the field; empty when it is valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ModelIds.Count is < 1 or > 2) errors.Add("Choose one or two models.");
        if (ModelIds.Count == 2 && ModelIds[0] == ModelIds[1]) errors.Add("Choose two different models, or one.");
        if (ResponsesPerPrompt is < 1 or > 16) errors.Add("Responses per prompt must be between 1 and 16.");
        if (ModelIds.Count == 1 && ResponsesPerPrompt < 2) errors.Add("With one model, ask for at least 2 responses per prompt so they can be paired.");
        if (MaxNewTokens is < 1 or > 512) errors.Add("Max new tokens must be between 1 and 512.");
        if (Temperature is < 0 or > 5) errors.Add("Temperature must be between 0 and 5.");
        if (TopP is <= 0 or > 1) errors.Add("Top-p must be in (0, 1].");
        if (TopK < 0) errors.Add("Top-k must be 0 (off) or positive.");
        if (PromptsPerBatch is < 1 or > 64) errors.Add("Prompts per batch must be between 1 and 64.");
        if (!Rlhf.Training.Models.ComputePrecision.IsSetting(ComputeDtype)) errors.Add($"Compute dtype must be float32 or bf16 (got \"{ComputeDtype}\").");
        return errors;
    }
}
