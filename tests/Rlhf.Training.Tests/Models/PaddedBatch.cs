using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Models;

/// <summary>
/// Rows of ids padded to one length on the right or the left: ids and mask [B, T], position ids = cumsum(mask) - 1,
/// and where each row's real tokens start.
/// </summary>
internal sealed class PaddedBatch : IDisposable
{
    public PaddedBatch(IReadOnlyList<long[]> rows, bool left, long padId)
    {
        var T = rows.Max(r => r.Length);
        var ids = new long[rows.Count * T];
        var mask = new long[rows.Count * T];
        Starts = new int[rows.Count];
        for (var b = 0; b < rows.Count; b++)
        {
            var start = left ? T - rows[b].Length : 0;
            Starts[b] = start;
            for (var t = 0; t < T; t++)
            {
                var real = t >= start && t < start + rows[b].Length;
                ids[b * T + t] = real ? rows[b][t - start] : padId;
                mask[b * T + t] = real ? 1 : 0;
            }
        }
        Ids = tensor(ids, [rows.Count, T]);            // [B, T]
        Mask = tensor(mask, [rows.Count, T]);          // [B, T]
        Positions = AttentionMasks.PositionIdsFromMask(Mask);   // [B, T]
    }

    public Tensor Ids { get; }

    public Tensor Mask { get; }

    public Tensor Positions { get; }

    public int[] Starts { get; }

    public void Dispose()
    {
        Ids.Dispose();
        Mask.Dispose();
        Positions.Dispose();
    }
}
