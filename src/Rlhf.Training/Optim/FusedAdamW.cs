using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Optim;

/// <summary>
/// AdamW (PyTorch semantics: decoupled weight decay, bias-corrected moments) with gradient clipping folded in,
/// updating each parameter in ONE pass over its memory, as PyTorch's fused=True AdamW does.
/// <para>Why: a reward model trains its whole 50257 x n_embd token embedding; the optimizer step is memory-bound,
/// and TorchSharp's AdamW makes about nine full passes per parameter (plus two for clip_grad_norm_ and two for
/// zeroing and accumulating gradients), which costs as much as a third of a training step. Here: one pass to
/// measure the gradient norm, one fused SIMD pass (read p, g, m, v; write p, m, v) split over the torch thread
/// count, and gradients are released (set to none) rather than zeroed, so the next backward writes them fresh.</para>
/// Per element, with c = min(1, max_norm / (||g|| + 1e-6)) (1 without clipping) and t the step count:
/// <code>
/// g' = c g;  m = b1 m + (1 - b1) g';  v = b2 v + (1 - b2) g'^2
/// p = p (1 - lr wd) - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
/// </code>
/// Weight decay applies to 2-D parameters only. Parameters and gradients must be contiguous float32 on the CPU.
/// <para>The one optimizer of every trainer (reward, PPO, pretraining), so optimizer state has one format
/// (<see cref="Save"/>, "rlhf-adamw/1"). Parameters come in clip groups: the gradient norm is measured and clipped per
/// group (PPO clips the policy's and the value model's gradients separately), one group for a single model.</para>
/// </summary>
public sealed class FusedAdamW : IDisposable
{
    public const string Format = "rlhf-adamw/1";
    private const int ChunkElements = 1 << 16;

    private readonly Entry[] _entries;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _eps;
    private readonly double _weightDecay;

    private readonly int _groupCount;

    private sealed record Entry(string Name, Parameter Parameter, Tensor ExpAvg, Tensor ExpAvgSq, bool Decay, int Group);

    /// <summary>One clip group: every parameter's gradient is clipped by their global norm.</summary>
    public FusedAdamW(IEnumerable<(string Name, Parameter Parameter)> parameters, double eps, double weightDecay,
        double beta1 = 0.9, double beta2 = 0.999)
        : this([parameters], eps, weightDecay, beta1, beta2)
    {
    }

    /// <summary>Several clip groups (names must be distinct across groups: they name the saved moments).</summary>
    public FusedAdamW(IReadOnlyList<IEnumerable<(string Name, Parameter Parameter)>> clipGroups, double eps, double weightDecay,
        double beta1 = 0.9, double beta2 = 0.999)
    {
        _entries = clipGroups.SelectMany((group, g) => group.Select(np =>
        {
            var p = np.Parameter;
            if (p.dtype != ScalarType.Float32 || p.device_type != DeviceType.CPU || !p.is_contiguous())
                throw new ArgumentException($"{np.Name}: the fused AdamW needs contiguous float32 CPU parameters");
            return new Entry(np.Name, p, zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope(), p.dim() >= 2, g);
        })).ToArray();
        _groupCount = clipGroups.Count;
        _beta1 = beta1;
        _beta2 = beta2;
        _eps = eps;
        _weightDecay = weightDecay;
    }

    /// <summary>Optimizer steps taken (t of the bias corrections).</summary>
    public long StepCount { get; private set; }

    public IEnumerable<Parameter> Parameters => _entries.Select(e => e.Parameter);

    /// <summary>Releases every gradient (set to none), so the next backward allocates them without accumulating.</summary>
    public void ZeroGrad()
    {
        foreach (var e in _entries)
        {
            using var grad = e.Parameter.grad;
            if (grad is not null) e.Parameter.grad = null;
        }
    }

    /// <summary>Clips (when maxGradNorm &gt; 0) and applies one update. Returns the gradient norm before clipping.</summary>
    public double Step(double learningRate, double maxGradNorm)
    {
        if (_groupCount != 1) throw new InvalidOperationException("this optimizer has several clip groups: use StepEachGroup");
        return StepEachGroup(learningRate, maxGradNorm)[0];
    }

    /// <summary>
    /// Clips each group's gradient by its own norm (when maxGradNorm &gt; 0) and applies one update.
    /// Returns each group's gradient norm before clipping (0 for a group without gradients).
    /// </summary>
    public double[] StepEachGroup(double learningRate, double maxGradNorm)
    {
        using var scope = NewDisposeScope();
        var grads = new Tensor?[_entries.Length];
        var norms = Enumerable.Range(0, _groupCount).Select(_ => new List<Tensor>()).ToArray();
        for (var i = 0; i < _entries.Length; i++)
        {
            var grad = _entries[i].Parameter.grad;
            if (grad is null) continue;
            if (grad.dtype != ScalarType.Float32 || !grad.is_contiguous()) grad = grad.to_type(ScalarType.Float32).contiguous();
            grads[i] = grad;
            norms[_entries[i].Group].Add(grad.norm());
        }
        var groupNorms = norms.Select(n => n.Count == 0 ? 0.0 : stack(n).norm().item<float>()).ToArray();
        if (norms.All(n => n.Count == 0)) return groupNorms;

        StepCount++;
        var bc1 = 1 - Math.Pow(_beta1, StepCount);
        var bc2 = 1 - Math.Pow(_beta2, StepCount);
        var coefficients = groupNorms.Select(norm =>
        {
            var clip = maxGradNorm > 0 ? Math.Min(1.0, maxGradNorm / (norm + 1e-6)) : 1.0;
            var common = new Coefficients
            {
                Clip = (float)clip, Beta1 = (float)_beta1, OneMinusBeta1 = (float)(1 - _beta1), Beta2 = (float)_beta2,
                OneMinusBeta2 = (float)(1 - _beta2), InvBc2Sqrt = (float)(1 / Math.Sqrt(bc2)), Eps = (float)_eps,
                StepSize = (float)(learningRate / bc1), Decay = 1f,
            };
            return (Common: common, Decayed: common with { Decay = (float)(1 - learningRate * _weightDecay) });
        }).ToArray();

        var work = new List<(int Entry, int Start, int Length)>();
        for (var i = 0; i < _entries.Length; i++)
        {
            if (grads[i] is null) continue;
            var n = checked((int)_entries[i].Parameter.numel());
            for (var start = 0; start < n; start += ChunkElements) work.Add((i, start, Math.Min(ChunkElements, n - start)));
        }
        void Run(int k)
        {
            var (i, start, length) = work[k];
            var e = _entries[i];
            var c = coefficients[e.Group];
            Update(Floats(e.Parameter).Slice(start, length), Floats(grads[i]!).Slice(start, length), Floats(e.ExpAvg).Slice(start, length),
                Floats(e.ExpAvgSq).Slice(start, length), e.Decay ? c.Decayed : c.Common);
        }
        var threads = Math.Max(1, get_num_threads());
        if (threads == 1 || work.Count == 1)
            for (var k = 0; k < work.Count; k++) Run(k);
        else
            Parallel.For(0, work.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, Run);
        for (var i = 0; i < _entries.Length; i++)
            if (grads[i] is not null) WeightVersions.Bump(_entries[i].Parameter);     // cached bf16 copies are stale now
        return groupNorms;
    }

    private static Span<float> Floats(Tensor t) => MemoryMarshal.Cast<byte, float>(t.bytes);

    private readonly record struct Coefficients
    {
        public float Clip { get; init; }
        public float Beta1 { get; init; }
        public float OneMinusBeta1 { get; init; }
        public float Beta2 { get; init; }
        public float OneMinusBeta2 { get; init; }
        public float InvBc2Sqrt { get; init; }
        public float Eps { get; init; }
        public float StepSize { get; init; }
        public float Decay { get; init; }
    }

    private static void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in Coefficients k)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && p.Length >= Vector<float>.Count)
        {
            var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
            var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            var clip = new Vector<float>(k.Clip);
            var b1 = new Vector<float>(k.Beta1);
            var c1 = new Vector<float>(k.OneMinusBeta1);
            var b2 = new Vector<float>(k.Beta2);
            var c2 = new Vector<float>(k.OneMinusBeta2);
            var inv = new Vector<float>(k.InvBc2Sqrt);
            var eps = new Vector<float>(k.Eps);
            var step = new Vector<float>(k.StepSize);
            var decay = new Vector<float>(k.Decay);
            for (var j = 0; j < pv.Length; j++)
            {
                var gj = gv[j] * clip;
                var mj = mv[j] * b1 + gj * c1;
                var vj = vv[j] * b2 + gj * gj * c2;
                mv[j] = mj;
                vv[j] = vj;
                pv[j] = pv[j] * decay - step * mj / (Vector.SquareRoot(vj) * inv + eps);
            }
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < p.Length; i++)
        {
            var gj = g[i] * k.Clip;
            var mj = m[i] * k.Beta1 + gj * k.OneMinusBeta1;
            var vj = v[i] * k.Beta2 + gj * gj * k.OneMinusBeta2;
            m[i] = mj;
            v[i] = vj;
            p[i] = p[i] * k.Decay - k.StepSize * mj / (MathF.Sqrt(vj) * k.InvBc2Sqrt + k.Eps);
        }
    }

    /// <summary>Writes the moments ("exp_avg/{name}", "exp_avg_sq/{name}") and the step count to a safetensors file.</summary>
    public void Save(string path)
    {
        var tensors = new List<SafeTensor>();
        foreach (var e in _entries)
        {
            tensors.Add(new SafeTensor("exp_avg/" + e.Name, "F32", e.ExpAvg.shape, e.ExpAvg.data<float>().ToArray()));
            tensors.Add(new SafeTensor("exp_avg_sq/" + e.Name, "F32", e.ExpAvgSq.shape, e.ExpAvgSq.data<float>().ToArray()));
        }
        SafeTensorsFile.Write(path, tensors, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["step"] = StepCount.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Restores what <see cref="Save"/> wrote; the parameters must be the same names and shapes.</summary>
    public void Load(string path)
    {
        var file = SafeTensorsFile.Read(path);
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"{path}: not an optimizer state of format {Format}");
        var step = long.Parse(file.Metadata["step"], CultureInfo.InvariantCulture);
        using var noGrad = no_grad();
        foreach (var e in _entries)
        {
            foreach (var (prefix, target) in new[] { ("exp_avg/", e.ExpAvg), ("exp_avg_sq/", e.ExpAvgSq) })
            {
                if (!file.Tensors.TryGetValue(prefix + e.Name, out var saved) || !saved.Shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"{path}: {prefix}{e.Name} is missing or has another shape");
                using var source = tensor(saved.Data, saved.Shape);
                target.copy_(source);
            }
        }
        StepCount = step;
    }

    public void Dispose()
    {
        foreach (var e in _entries)
        {
            e.ExpAvg.Dispose();
            e.ExpAvgSq.Dispose();
        }
    }
}
