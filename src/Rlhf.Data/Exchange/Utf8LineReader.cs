using System.Text;

namespace Rlhf.Data.Exchange;

/// <summary>One physical line: its text, or why it could not be read (too long, not UTF-8).</summary>
/// <param name="Number">1-based line number.</param>
/// <param name="Text">The line without its "\n" or "\r\n"; null when <see cref="Error"/> is set.</param>
/// <param name="Error">"line longer than 1 MiB ...", "invalid UTF-8 ..." (without the "line N: " prefix).</param>
public readonly record struct RawLine(long Number, string? Text, string? Error);

/// <summary>
/// Reads a stream line by line in fixed-size chunks, decoding each line as strict UTF-8 (invalid bytes are an error,
/// never replaced). A line longer than the limit is reported as an error and skipped without being held in memory: the
/// reader never holds more than the limit plus one chunk. A UTF-8 byte order mark at the start is ignored.
/// </summary>
public sealed class Utf8LineReader
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly Stream stream;
    private readonly int maxLineBytes;
    private readonly byte[] chunk;
    private int chunkPosition;
    private int chunkLength;
    private bool endOfStream;
    private byte[] line = new byte[4096];
    private int lineLength;
    private bool lineTooLong;
    private bool lineStarted;
    private long lineNumber;
    private long bytesFromStream;

    public Utf8LineReader(Stream stream, int maxLineBytes = ImportOptions.DefaultMaxLineBytes, int chunkBytes = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        this.stream = stream;
        this.maxLineBytes = maxLineBytes;
        chunk = new byte[chunkBytes];
    }

    /// <summary>Bytes consumed so far (up to the end of the last line returned).</summary>
    public long BytesRead => bytesFromStream - (chunkLength - chunkPosition);

    /// <summary>The number of the last line returned.</summary>
    public long LineNumber => lineNumber;

    /// <summary>The longest line kept in memory, in bytes: for tests of the memory bound.</summary>
    public int BufferCapacity => line.Length;

    /// <summary>The next line, or null at the end of the stream.</summary>
    public async ValueTask<RawLine?> ReadLineAsync(CancellationToken ct = default)
    {
        lineLength = 0;
        lineTooLong = false;
        lineStarted = false;
        while (true)
        {
            if (chunkPosition == chunkLength)
            {
                if (endOfStream) break;
                chunkLength = await stream.ReadAsync(chunk.AsMemory(), ct);
                chunkPosition = 0;
                bytesFromStream += chunkLength;
                if (chunkLength == 0) { endOfStream = true; break; }
            }
            var available = chunk.AsSpan(chunkPosition, chunkLength - chunkPosition);
            var newline = available.IndexOf((byte)'\n');
            Append(newline < 0 ? available : available[..newline]);
            lineStarted = true;
            chunkPosition += newline < 0 ? available.Length : newline + 1;
            if (newline >= 0) return Emit();
        }
        // End of stream: a last line without "\n", or nothing.
        return lineStarted && (lineLength > 0 || lineTooLong) ? Emit() : null;
    }

    private void Append(ReadOnlySpan<byte> part)
    {
        if (lineTooLong || part.IsEmpty) return;
        if ((long)lineLength + part.Length > maxLineBytes + 1L) // +1: room for a "\r" before the "\n"
        {
            lineTooLong = true;
            lineLength = 0;
            return;
        }
        if (lineLength + part.Length > line.Length)
            Array.Resize(ref line, (int)Math.Min(Math.Max((long)line.Length * 2, lineLength + part.Length), maxLineBytes + 1L));
        part.CopyTo(line.AsSpan(lineLength));
        lineLength += part.Length;
    }

    private RawLine Emit()
    {
        lineNumber++;
        var bytes = line.AsSpan(0, lineLength);
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        if (lineTooLong || bytes.Length > maxLineBytes)
            return new RawLine(lineNumber, null, $"line longer than {Describe(maxLineBytes)}");
        if (lineNumber == 1 && bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        try
        {
            return new RawLine(lineNumber, Strict.GetString(bytes), null);
        }
        catch (DecoderFallbackException ex)
        {
            var at = ex.Index >= 0 ? $" at byte {ex.Index + 1} of the line" : "";
            var bad = ex.BytesUnknown is { Length: > 0 } unknown ? $" (0x{Convert.ToHexString(unknown)})" : "";
            return new RawLine(lineNumber, null, $"invalid UTF-8{at}{bad}");
        }
    }

    /// <summary>"1 MiB (1048576 bytes)" or "1500 bytes".</summary>
    public static string Describe(long bytes) =>
        bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB ({bytes} bytes)"
        : bytes % 1024 == 0 ? $"{bytes >> 10} KiB ({bytes} bytes)"
        : $"{bytes} bytes";
}
