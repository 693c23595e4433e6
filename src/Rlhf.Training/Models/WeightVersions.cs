using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// A version number per weight, bumped by whatever writes a weight in place after a model was built (the optimizer
/// step, merging a LoRA adapter), read by <see cref="ComputePrecision"/> to know when its cached bf16 copy of a weight
/// is stale. Like PyTorch's tensor._version, which TorchSharp does not expose. Keyed by <see cref="Key"/>, not by the
/// C# object: a native module (Embedding) hands out a new wrapper of the same tensor at every call.
/// </summary>
public static class WeightVersions
{
    private static readonly ConcurrentDictionary<IntPtr, long> Versions = new();

    /// <summary>
    /// Which tensor this is, the same for every C# wrapper of it: the address of its TensorImpl. A wrapper's Handle points
    /// to an at::Tensor, whose one field is the intrusive pointer to the TensorImpl (TorchSharp has no data_ptr()).
    /// </summary>
    public static IntPtr Key(Tensor tensor) => Marshal.ReadIntPtr(tensor.Handle);

    /// <summary>The weight's version: 0 until it is first bumped.</summary>
    public static long Of(Tensor weight) => Versions.TryGetValue(Key(weight), out var version) ? version : 0;

    /// <summary>Marks the weight as written: every cached copy of it is stale from now on.</summary>
    public static void Bump(Tensor weight) => Versions.AddOrUpdate(Key(weight), 1, (_, version) => version + 1);
}
