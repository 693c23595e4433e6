namespace Rlhf.Data.Database;

/// <summary>A <see cref="PendingWrite"/> whose write returns a <typeparamref name="T"/>, handed to its caller once committed.</summary>
internal sealed class PendingWrite<T>(Func<RlhfDbContext, CancellationToken, Task<T>> write) : PendingWrite
{
    // Continuations run on the thread pool, not on the writer between two batches.
    private readonly TaskCompletionSource<T> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T result = default!;

    public Task<T> Task => answer.Task;

    public override async Task RunAsync(RlhfDbContext db, CancellationToken ct) => result = await write(db, ct);

    public override void Acknowledge() => answer.TrySetResult(result);

    public override void Fail(Exception e) => answer.TrySetException(e);

    protected override void Cancel(CancellationToken ct) => answer.TrySetCanceled(ct);
}
