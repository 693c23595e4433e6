using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>HF LlamaDecoderLayer (pre-RMSNorm): x + self_attn(input_layernorm(x)), then x + mlp(post_attention_layernorm(x)).</summary>
public sealed class LlamaDecoderLayer : nn.Module
{
    private readonly LlamaRmsNorm input_layernorm;
    private readonly LlamaAttention self_attn;
    private readonly LlamaRmsNorm post_attention_layernorm;
    private readonly LlamaMlp mlp;

    public LlamaDecoderLayer(LlamaConfig config, ComputePrecision precision) : base(nameof(LlamaDecoderLayer))
    {
        input_layernorm = new LlamaRmsNorm(config.HiddenSize, config.RmsNormEps);
        self_attn = new LlamaAttention(config, precision);
        post_attention_layernorm = new LlamaRmsNorm(config.HiddenSize, config.RmsNormEps);
        mlp = new LlamaMlp(config, precision);
        RegisterComponents();
    }

    /// <param name="x">[B, T, C]</param>
    /// <param name="cos">[B, T, hd]</param>
    /// <param name="sin">[B, T, hd]</param>
    /// <param name="allowed">bool [B or 1, 1, T, S], or null</param>
    /// <returns>[B, T, C]</returns>
    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? allowed, KvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        x = x + self_attn.forward(input_layernorm.forward(x), cos, sin, allowed, cache, layer);   // [B, T, C]
        x = x + mlp.forward(post_attention_layernorm.forward(x));                                 // [B, T, C]
        return scope.MoveToOuter(x);
    }
}
