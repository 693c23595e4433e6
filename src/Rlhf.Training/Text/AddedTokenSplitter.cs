namespace Rlhf.Training.Text;

/// <summary>
/// Cuts text at added tokens the way Hugging Face's tokenizers does (leftmost match first, the longest token at that
/// position), so "Hi&lt;|im_end|&gt;" becomes the text "Hi" and the token &lt;|im_end|&gt;.
/// </summary>
public sealed class AddedTokenSplitter
{
    /// <summary>One piece of the text: either plain <see cref="Text"/> or a matched <see cref="Token"/>.</summary>
    public readonly record struct Piece(string Text, AddedToken? Token);

    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        _byFirstChar = tokens.Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    public bool IsEmpty => _byFirstChar.Count == 0;

    public List<Piece> Split(string text)
    {
        var pieces = new List<Piece>();
        if (IsEmpty)
        {
            pieces.Add(new Piece(text, null));
            return pieces;
        }

        var textStart = 0;  // start of the plain text not yet emitted
        for (var i = 0; i < text.Length; i++)
        {
            var token = MatchAt(text, i);
            if (token is null) continue;

            var start = i;
            var end = i + token.Content.Length;
            if (token.LStrip) while (start > textStart && char.IsWhiteSpace(text[start - 1])) start--;
            if (token.RStrip) while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
            if (start > textStart) pieces.Add(new Piece(text[textStart..start], null));
            pieces.Add(new Piece(text[start..end], token));
            textStart = end;
            i = end - 1;
        }
        if (textStart < text.Length) pieces.Add(new Piece(text[textStart..], null));
        return pieces;
    }

    private AddedToken? MatchAt(string text, int i)
    {
        if (!_byFirstChar.TryGetValue(text[i], out var candidates)) return null;
        foreach (var token in candidates)
        {
            if (token.Content.Length > text.Length - i) continue;
            if (string.CompareOrdinal(text, i, token.Content, 0, token.Content.Length) != 0) continue;
            if (token.SingleWord && !IsWordBoundary(text, i, i + token.Content.Length)) continue;
            return token;
        }
        return null;
    }

    private static bool IsWordBoundary(string text, int start, int end)
    {
        static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
        return (start == 0 || !IsWordChar(text[start - 1])) && (end == text.Length || !IsWordChar(text[end]));
    }
}
