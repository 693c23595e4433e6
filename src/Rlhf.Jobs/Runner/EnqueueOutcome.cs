namespace Rlhf.Jobs.Runner;

/// <summary>What became of a request to queue a job; callers decide by this, never by the error text.</summary>
public enum EnqueueOutcome
{
    Queued,
    /// <summary>The request is not valid (its errors say why): nothing queued, nothing saved.</summary>
    Refused,
    /// <summary>What the request is for (the project) does not exist: nothing queued, nothing saved.</summary>
    NotFound,
    /// <summary>The upload is larger than the installation allows: nothing queued, nothing kept.</summary>
    TooLarge,
}
