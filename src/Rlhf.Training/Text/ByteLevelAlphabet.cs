using System.Text;

namespace Rlhf.Training.Text;

/// <summary>
/// GPT-2's byte-to-unicode table used by every byte-level BPE: each UTF-8 byte is shown as one printable character
/// ("Ġ" for the space byte 0x20, "Ċ" for "\n"), so vocabulary entries are plain strings.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildTable();
    private static readonly Dictionary<char, byte> CharToByte = Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    /// <summary>The UTF-8 bytes of <paramref name="text"/>, each as its byte-level character.</summary>
    public static string Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    /// <summary>Appends the bytes a byte-level token stands for; a character outside the table adds its own UTF-8.</summary>
    public static void AppendBytes(string token, List<byte> bytes)
    {
        foreach (var c in token)
        {
            if (CharToByte.TryGetValue(c, out var b)) bytes.Add(b);
            else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
    }

    private static char[] BuildTable()
    {
        // Printable bytes stand for themselves; the others are mapped, in order, to 256, 257, ...
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }
}
