namespace Rlhf.Bench.Loop;

/// <summary>
/// An SVG chart in the style of Gao et al. 2022 (Scaling Laws for Reward Model Overoptimization): the gold score (the
/// judge's) and the proxy score (the reward model's) of PPO's rollouts against d = sqrt(KL) from the reference policy.
/// Each score is drawn as its change from the first update, so both start at 0 and the gap shows over-optimisation;
/// dots are single updates, lines their running means in KL order.
/// </summary>
public static class GoldProxyChart
{
    private const int Width = 720, Height = 440, Left = 70, Right = 170, Top = 50, Bottom = 60;

    public static string Svg(IReadOnlyList<LoopCurvePoint> curve, string title)
    {
        if (curve.Count == 0) throw new ArgumentException("no points to draw", nameof(curve));
        var gold = curve.Select(p => p.Gold - curve[0].Gold).ToArray();
        var proxy = curve.Select(p => p.Proxy - curve[0].Proxy).ToArray();
        var xs = curve.Select(p => p.SqrtKl).ToArray();
        var svg = SvgText.Begin(Width, Height, title);
        var panel = new SvgPanel(svg, Left, Top, Width - Left - Right, Height - Top - Bottom, 0, xs.Max(), gold.Concat(proxy));
        panel.Frame("d = sqrt(KL from the reference policy), sqrt(nats)", "score change from the first update");
        Series(panel, xs, gold, "#1f77b4", "gold (judge)", 0);
        Series(panel, xs, proxy, "#d62728", "proxy (reward model)", 1);
        return SvgText.End(svg);
    }

    private static void Series(SvgPanel panel, double[] xs, double[] ys, string colour, string name, int row)
    {
        // Every update as a dot; the line is a running mean over the 5 nearest updates in KL order (KL is not
        // monotonic in the update number, so a line in update order zig-zags).
        foreach (var (x, y) in xs.Zip(ys)) panel.Dot(x, y, colour);
        var sorted = xs.Zip(ys).OrderBy(p => p.First).ToArray();
        panel.Line(sorted.Select((_, i) =>
        {
            var window = sorted[Math.Max(0, i - 2)..Math.Min(sorted.Length, i + 3)];
            return (window.Average(p => p.First), window.Average(p => p.Second));
        }), colour);
        panel.Legend(row, colour, name);
    }
}
