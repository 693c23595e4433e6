using System.Security.Cryptography;
using System.Text;

namespace Rlhf.Training.Checkpoints;

/// <summary>SHA-256 of a sequence of strings, each length-prefixed (UTF-8), so ["ab", "c"] and ["a", "bc"] differ.</summary>
internal static class ContentHash
{
    public static string Of(IEnumerable<string> fields)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var field in fields)
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
