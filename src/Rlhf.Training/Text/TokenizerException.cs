namespace Rlhf.Training.Text;

/// <summary>A tokenizer or chat template that cannot be loaded or used; the message is one line naming the file/field.</summary>
public sealed class TokenizerException(string message) : Exception(message);
