namespace Rlhf.Jobs.Runner;

/// <summary>A job's own clear reason for failing (bad input, missing model...), shown as is.</summary>
public sealed class JobFailedException(string message) : Exception(message);
