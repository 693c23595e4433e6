namespace Rlhf.Core.Registry;

/// <summary>
/// A checkpoint in the registry (a Hugging Face model folder the platform owns: weights, config, tokenizer files),
/// with its lineage: the model it was trained from and the job that produced it.
/// </summary>
public sealed class Model
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public ModelKind Kind { get; set; }
    /// <summary>The model this one was initialised or fine-tuned from.</summary>
    public int? ParentId { get; set; }
    /// <summary>The job (reward run, PPO run, pretraining) that wrote it; null when imported or shipped.</summary>
    public long? ProducedByJobId { get; set; }
    /// <summary>"shipped", "import" or "run".</summary>
    public string Source { get; set; } = "import";
    /// <summary>The folder holding config.json, the weights and the tokenizer files, relative to the data folder.</summary>
    public string Folder { get; set; } = "";
    public long SizeBytes { get; set; }
    public long ParameterCount { get; set; }
    /// <summary>config.json's model_type: "gpt2", "llama", "qwen2" or "qwen3".</summary>
    public string ModelType { get; set; } = "gpt2";
    /// <summary>Layers (n_layer / num_hidden_layers); NEmbd, NHead, NPositions likewise hold the family's own sizes.</summary>
    public int NLayer { get; set; }
    public int NEmbd { get; set; }
    public int NHead { get; set; }
    public int NPositions { get; set; }
    public int VocabSize { get; set; }
    /// <summary>Final validation accuracy of a reward model on held-out preference pairs.</summary>
    public double? ValidationAccuracy { get; set; }
    public string Notes { get; set; } = "";
    public DateTime CreatedAtUtc { get; set; }
    public string? CreatedById { get; set; }
}
