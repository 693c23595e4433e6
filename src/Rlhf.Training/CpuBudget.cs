using System.Diagnostics;

namespace Rlhf.Training;

/// <summary>
/// A training run's budget in process CPU time (every thread of the process: torch's intra-op threads included), counted
/// from <see cref="Start"/>. CPU time, not wall time: on a shared machine it is what two runs can be compared on. The
/// trainers check it after each update, so a run always makes at least one update and overshoots by at most one.
/// </summary>
public sealed class CpuBudget
{
    private readonly TimeSpan _start = ProcessCpu();

    private CpuBudget(double seconds) => Seconds = seconds;

    /// <summary>The budget in CPU-seconds.</summary>
    public double Seconds { get; }

    /// <summary>A budget of <paramref name="seconds"/> CPU-seconds from now; null (no budget) when <paramref name="seconds"/> is null.</summary>
    public static CpuBudget? Start(double? seconds) => seconds is double s ? new CpuBudget(s) : null;

    /// <summary>CPU-seconds this process has used since the budget started.</summary>
    public double Used => (ProcessCpu() - _start).TotalSeconds;

    public bool IsSpent => Used >= Seconds;

    /// <summary>The problem of a budget setting, or null: absent, or a positive finite number of seconds.</summary>
    public static string? Problem(double? seconds) => seconds is double s && !(s > 0 && double.IsFinite(s)) ? "the CPU budget must be a positive number of seconds" : null;

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
