using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// Keys and values of every attention layer for the positions already processed, so incremental
/// decoding only runs the new tokens. Each layer holds K and V of shape [B, n_head, S, head_dim].
/// The cache owns its tensors (they are outside any dispose scope); dispose it when done.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;

    public KvCache(int nLayer)
    {
        _keys = new Tensor?[nLayer];
        _values = new Tensor?[nLayer];
    }

    /// <summary>Number of positions cached (S); advanced by the model after a forward pass.</summary>
    public long Length { get; private set; }

    public int LayerCount => _keys.Length;

    /// <summary>
    /// Appends this step's k, v ([B, nh, T, hd]) to layer <paramref name="layer"/> and returns the
    /// full keys and values ([B, nh, S+T, hd]). The returned tensors belong to the cache.
    /// </summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        var oldK = _keys[layer];
        var oldV = _values[layer];
        var newK = oldK is null ? k.detach().clone() : cat([oldK, k.detach()], 2);   // [B, nh, S+T, hd]
        var newV = oldV is null ? v.detach().clone() : cat([oldV, v.detach()], 2);
        newK.DetachFromDisposeScope();
        newV.DetachFromDisposeScope();
        oldK?.Dispose();
        oldV?.Dispose();
        _keys[layer] = newK;
        _values[layer] = newV;
        return (newK, newV);
    }

    /// <summary>Called by the model once all layers have appended <paramref name="newTokens"/> positions.</summary>
    public void Advance(long newTokens) => Length += newTokens;

    public void Dispose()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i]?.Dispose();
            _values[i]?.Dispose();
            _keys[i] = _values[i] = null;
        }
        Length = 0;
    }
}
