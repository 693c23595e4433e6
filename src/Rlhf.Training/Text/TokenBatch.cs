using static TorchSharp.torch;

namespace Rlhf.Training.Text;

/// <summary>
/// Token rows right-padded into one batch (no packing): input ids [B, T] plus the tensors a trainer reads with
/// them. The batch owns every one of those tensors and disposes them together.
/// </summary>
public abstract class TokenBatch : IDisposable
{
    private readonly Tensor[] owned;

    protected TokenBatch(Tensor inputIds, params Tensor[] others)
    {
        InputIds = inputIds;
        owned = [inputIds, .. others];
    }

    /// <summary>int64 [B, T], the pad token where a row is shorter than T.</summary>
    public Tensor InputIds { get; }

    /// <summary>Flat [B * T] ids: the first <paramref name="lengths"/>[b] tokens of row b, then <paramref name="padTokenId"/>.</summary>
    protected static long[] RightPad(IReadOnlyList<int[]> rows, IReadOnlyList<int> lengths, int width, int padTokenId)
    {
        var ids = new long[rows.Count * width];
        Array.Fill(ids, padTokenId);
        for (var b = 0; b < rows.Count; b++)
            for (var t = 0; t < lengths[b]; t++)
                ids[b * width + t] = rows[b][t];
        return ids;
    }

    public void Dispose()
    {
        foreach (var t in owned) t.Dispose();
        GC.SuppressFinalize(this);
    }
}
