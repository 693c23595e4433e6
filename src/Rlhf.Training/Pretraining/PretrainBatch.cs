using Rlhf.Training.Text;
using static TorchSharp.torch;

namespace Rlhf.Training.Pretraining;

/// <summary>
/// One training batch, one conversation a row, right-padded (no packing). Row b holds tokens
/// x[0..L_b-2] of a conversation of L_b tokens; the loss predicts x[1..L_b-1] at those positions, so the
/// final EOS is a target and the model learns to stop. Padding positions are left out of the loss by
/// <see cref="Positions"/> (and need no attention mask: with right padding, causal attention never lets a
/// real token see a pad).
/// </summary>
public sealed class PretrainBatch : TokenBatch
{
    private PretrainBatch(Tensor inputIds, Tensor positions, Tensor targets, int tokens)
        : base(inputIds, positions, targets)
    {
        Positions = positions;
        Targets = targets;
        TokenCount = tokens;
    }

    /// <summary>int64 [N]: flat indices (b * T + t) of the positions that have a target.</summary>
    public Tensor Positions { get; }

    /// <summary>int64 [N]: the next token at each of <see cref="Positions"/>.</summary>
    public Tensor Targets { get; }

    /// <summary>N, the number of predicted tokens.</summary>
    public int TokenCount { get; }

    /// <summary>Builds a batch from token sequences of at least 2 tokens each (longer than blockSize + 1 are cut).</summary>
    public static PretrainBatch Create(IReadOnlyList<int[]> sequences, int blockSize, int padTokenId)
    {
        if (sequences.Count == 0) throw new ArgumentException("a batch needs at least one sequence", nameof(sequences));
        var lengths = sequences.Select(s => Math.Min(s.Length, blockSize + 1)).ToArray();
        if (lengths.Any(l => l < 2)) throw new ArgumentException("every sequence needs at least 2 tokens", nameof(sequences));
        var B = sequences.Count;
        var T = lengths.Max() - 1;
        var inputs = RightPad(sequences, lengths.Select(l => l - 1).ToArray(), T, padTokenId);   // [B * T]: x[0..L_b-2]
        var positions = new List<long>();
        var targets = new List<long>();
        for (var b = 0; b < B; b++)
        {
            for (var t = 0; t < lengths[b] - 1; t++)
            {
                positions.Add(b * T + t);
                targets.Add(sequences[b][t + 1]);
            }
        }
        return new PretrainBatch(
            tensor(inputs, [B, T]),
            tensor(positions.ToArray(), [positions.Count]),
            tensor(targets.ToArray(), [targets.Count]),
            targets.Count);
    }
}
