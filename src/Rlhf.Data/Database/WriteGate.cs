namespace Rlhf.Data.Database;

/// <summary>
/// One SQLite writer at a time inside this process. SQLite allows a single writer; without this gate concurrent
/// BEGIN IMMEDIATE calls find the database busy and Microsoft.Data.Sqlite retries them with sleeps, which under load
/// costs far more than waiting in line. Other processes on the same file are still kept apart by SQLite's own lock.
/// </summary>
public sealed class WriteGate
{
    private readonly SemaphoreSlim gate = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken ct = default)
    {
        await gate.WaitAsync(ct);
        return new Turn(gate);
    }

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) gate.Release();
        }
    }
}
