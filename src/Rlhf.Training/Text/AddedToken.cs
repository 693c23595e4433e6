namespace Rlhf.Training.Text;

/// <summary>
/// An entry of tokenizer.json's "added_tokens": matched as a whole in the text before pre-tokenization, so it is never
/// split (e.g. Qwen's "&lt;|im_end|&gt;" = 151645). <paramref name="Special"/> tokens are dropped by
/// decode(skip_special_tokens). <paramref name="LStrip"/>/<paramref name="RStrip"/> swallow whitespace on that side;
/// <paramref name="Normalized"/> tokens are matched in the normalised (NFC) text, the others in the raw text.
/// </summary>
public sealed record AddedToken(int Id, string Content, bool Special, bool LStrip, bool RStrip, bool Normalized, bool SingleWord);
