using System.Security.Cryptography;
using System.Text;

namespace Rlhf.Data.Exchange;

/// <summary>
/// The rater id written in vote exports: "r-" + the first 16 hex digits of SHA-256("rlhf-rater-pseudonym-v1\n" +
/// project id + "\n" + user id). Stable across exports (no state: the same rater in the same project always gets the
/// same pseudonym), different per project (exports of two projects cannot be joined on rater), and it reveals neither
/// the user id nor the e-mail. The input is the user id, a random GUID that never leaves the database, so the
/// pseudonym cannot be reversed or recomputed from outside; whoever can read the database can recompute it, but they
/// could read the votes anyway. The imported pseudo-rater is written as "imported".
/// </summary>
public static class RaterPseudonym
{
    public const string Imported = "imported";
    private const string Salt = "rlhf-rater-pseudonym-v1";

    public static string For(int projectId, string userId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{Salt}\n{projectId}\n{userId}"), hash);
        return "r-" + Convert.ToHexStringLower(hash[..8]);
    }
}
