using System.Globalization;
using System.Text;

namespace Rlhf.Bench.Loop;

/// <summary>`rlhf bench loop`'s table (Markdown, one column per method): what BENCHMARKS.md shows of a run.</summary>
public static class LoopTable
{
    public static string Markdown(LoopBenchmarkResult r)
    {
        static string N(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
        static string P(double v) => double.IsFinite(v) ? (v * 100).ToString("0", CultureInfo.InvariantCulture) + " %" : "–";
        var rows = new (string Name, Func<LoopMethodResult, string> Cell)[]
        {
            ("steps made / planned (stopped by)", m => $"{m.Steps} / {m.PlannedSteps} ({m.StoppedBy})"),
            ("**gold (judge), reference → policy**", m => $"**{N(m.GoldBefore, "0.000")} → {N(m.GoldAfter, "0.000")} ({(m.GoldGain >= 0 ? "+" : "")}{N(m.GoldGain, "0.000")})**"),
            ("proxy (reward model), reference → policy", m => $"{N(m.ProxyBefore, "0.000")} → {N(m.ProxyAfter, "0.000")}"),
            ("KL to the reference at the end (nats, policy's samples)", m => N(m.Kl, "0.00")),
            ("trainer's own KL at its last step", m => N(m.TrainKl, "0.00")),
            ("simulated raters preferring the policy (decisive votes)", m => P(m.SimulatedWinRate)),
            ("training CPU-minutes", m => N(m.CpuMinutes, "0.00")),
            ("training wall time (s)", m => N(m.TrainSeconds, "0")),
        };
        var table = new StringBuilder();
        table.AppendLine($"| {r.PreferencePairs} pairs from {r.Votes} simulated votes; budget {(r.BudgetCpuMinutes is double b ? N(b, "G3") + " CPU-minutes each" : "none")} | "
            + string.Join(" | ", r.Methods.Select(m => m.Method.ToUpperInvariant())) + " |");
        table.AppendLine("|---|" + string.Concat(r.Methods.Select(_ => "---|")));
        foreach (var (name, cell) in rows) table.AppendLine($"| {name} | " + string.Join(" | ", r.Methods.Select(cell)) + " |");
        return table.ToString();
    }
}
