using TorchSharp;

namespace Rlhf.Training;

/// <summary>
/// Caps the number of intra-op threads libtorch uses, once per process. Machines running the
/// platform are small and shared (web server, jobs, tests), so torch must not grab every core.
/// </summary>
public static class TorchThreads
{
    private static readonly object Gate = new();
    private static int? _configured;

    /// <summary>The environment variable that overrides the default (e.g. 1 when several test processes share 2 cores).</summary>
    public const string Variable = "RLHF_TORCH_THREADS";

    /// <summary>The default cap: <see cref="Variable"/> when set, else min(2, Environment.ProcessorCount).</summary>
    public static int DefaultThreadCount =>
        int.TryParse(Environment.GetEnvironmentVariable(Variable), out var n) && n > 0
            ? n
            : Math.Max(1, Math.Min(2, Environment.ProcessorCount));

    /// <summary>The thread count set by the first call, or null when no call has happened yet.</summary>
    public static int? Configured
    {
        get { lock (Gate) { return _configured; } }
    }

    /// <summary>
    /// Calls torch.set_num_threads the first time only; later calls return the value already set
    /// (whatever they ask for). Returns the thread count in effect.
    /// </summary>
    public static int EnsureConfigured(int? threads = null)
    {
        lock (Gate)
        {
            if (_configured is int existing) return existing;
            var n = threads is > 0 ? threads.Value : DefaultThreadCount;
            torch.set_num_threads(n);
            _configured = n;
            return n;
        }
    }
}
