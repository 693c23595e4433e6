using System.Security.Cryptography;
using System.Text;

namespace Rlhf.Data.Pools;

/// <summary>Invitation tokens: 32 random bytes, URL-safe; only their SHA-256 is stored.</summary>
public static class InvitationToken
{
    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token ?? "")));
}
