using TorchSharp;

namespace Rlhf.Training.Models;

/// <summary>What every decoder-only model of a supported family (GPT-2, Llama, Qwen2, Qwen3) tells its callers.</summary>
public interface IDecoderModel : IDisposable
{
    /// <summary>config.json's model_type: "gpt2", "llama", "qwen2" or "qwen3".</summary>
    string ModelType { get; }

    /// <summary>Token ids run 0 .. VocabSize-1.</summary>
    int VocabSize { get; }

    /// <summary>The longest sequence the model takes (n_positions / max_position_embeddings).</summary>
    int MaxPositions { get; }

    /// <summary>The id batches are padded with (pad_token_id, else the first eos id).</summary>
    int PadTokenId { get; }

    /// <summary>
    /// The dtype the matmuls run in: Float32 (default) or BFloat16 with float32 master weights (<see cref="ComputePrecision"/>),
    /// for every family (GPT-2's Conv1D layers are held as Linear layers too).
    /// </summary>
    torch.ScalarType ComputeDtype { get; set; }

    /// <summary>The model as a module: parameters, train/eval, state_dict with the Hugging Face names.</summary>
    torch.nn.Module Module { get; }
}
