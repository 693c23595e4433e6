using System.Text.Json.Nodes;

namespace Rlhf.Bench.Load;

/// <summary>
/// What the database holds after a load run. <see cref="Lost"/>: acknowledged votes not stored (or stored under another
/// assignment, or voided); <see cref="Duplicates"/>: extra votes on one assignment, extra votes of one rater on one
/// comparison, or one vote id acknowledged for two assignments; <see cref="OverOverlap"/>: comparisons (gold aside)
/// with more non-voided votes than their required votes; <see cref="Complete"/> of <see cref="Comparisons"/> (gold aside):
/// comparisons holding exactly their required votes.
/// </summary>
internal sealed record VoteIntegrityReport(int Acknowledged, int Stored, int Lost, int Duplicates, int OverOverlap, int StoredNotAcknowledged,
    int Comparisons, int Complete)
{
    public bool Passed => Lost == 0 && Duplicates == 0 && OverOverlap == 0;

    public JsonObject ToJson() => new()
    {
        ["checked"] = true,
        ["passed"] = Passed,
        ["acknowledged"] = Acknowledged,
        ["stored"] = Stored,
        ["lost"] = Lost,
        ["duplicates"] = Duplicates,
        ["overOverlap"] = OverOverlap,
        ["storedNotAcknowledged"] = StoredNotAcknowledged,
        ["comparisons"] = Comparisons,
        ["complete"] = Complete,
    };
}
