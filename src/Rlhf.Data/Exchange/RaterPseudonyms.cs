using System.Security.Cryptography;
using System.Text;

namespace Rlhf.Data.Exchange;

/// <summary>
/// The rater id researchers see (vote exports, statistics, the project page): "r-" + the first 16 hex digits of
/// HMAC-SHA256(installation secret, "rlhf-rater-pseudonym-v2\n" + project id + "\n" + user id). Stable for an
/// installation (the same rater in the same project always gets the same pseudonym), different per project (exports
/// of two projects cannot be joined on rater), and without the secret (<see cref="PseudonymSecret"/>) nobody can
/// recompute it from a user id or test a guess; the secret never leaves the server. The imported pseudo-rater is
/// written as "imported".
/// </summary>
public sealed class RaterPseudonyms(byte[] secret)
{
    public const string Imported = "imported";
    private const string Context = "rlhf-rater-pseudonym-v2";
    private readonly byte[] key = secret.Length >= PseudonymSecret.MinimumBytes ? secret.ToArray()
        : throw new ArgumentException($"The pseudonym secret needs at least {PseudonymSecret.MinimumBytes} bytes.", nameof(secret));

    public string For(int projectId, string userId)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{Context}\n{projectId}\n{userId}"), mac);
        return "r-" + Convert.ToHexStringLower(mac[..8]);
    }
}
