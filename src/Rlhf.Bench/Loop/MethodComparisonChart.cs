namespace Rlhf.Bench.Loop;

/// <summary>
/// `rlhf bench loop --compare`'s chart: the gold score gain of each method's policy over the reference (the judge's mean
/// on the held-out prompts, after minus before) against the CPU-minutes its training took (left panel) and against
/// d = sqrt(KL to the reference) measured alike for every method (right panel). Each trained policy is a dot (one per
/// method and seed); a line joins the reference (0, 0) to each method's mean.
/// </summary>
public static class MethodComparisonChart
{
    private const int Width = 900, Height = 420, Left = 70, Top = 50, Bottom = 60, PanelWidth = 300, Gap = 90;

    private static readonly IReadOnlyDictionary<string, string> Colours = new Dictionary<string, string>
    {
        [LoopMethods.Ppo] = "#1f77b4", [LoopMethods.Dpo] = "#2ca02c", [LoopMethods.Grpo] = "#d62728",
    };

    public static string Svg(IReadOnlyList<MethodPoint> points, string title)
    {
        if (points.Count == 0) throw new ArgumentException("no points to draw", nameof(points));
        var svg = SvgText.Begin(Width, Height, title);
        var gains = points.Select(p => p.GoldGain).ToArray();
        var height = Height - Top - Bottom;
        var cpu = new SvgPanel(svg, Left, Top, PanelWidth, height, 0, points.Max(p => p.CpuMinutes), gains);
        var kl = new SvgPanel(svg, Left + PanelWidth + Gap, Top, PanelWidth, height, 0, points.Max(p => p.SqrtKl), gains);
        cpu.Frame("training CPU-minutes (process CPU time)", "gold score gain over the reference");
        kl.Frame("d = sqrt(KL to the reference), sqrt(nats)", "gold score gain over the reference");
        var row = 0;
        foreach (var method in points.Select(p => p.Method).Distinct())
        {
            var colour = Colours.GetValueOrDefault(method, "#7f7f7f");
            var mine = points.Where(p => p.Method == method).ToList();
            foreach (var p in mine)
            {
                cpu.Dot(p.CpuMinutes, p.GoldGain, colour, radius: 4, opacity: 0.8);
                kl.Dot(p.SqrtKl, p.GoldGain, colour, radius: 4, opacity: 0.8);
            }
            var gain = mine.Average(p => p.GoldGain);
            cpu.Line([(0, 0), (mine.Average(p => p.CpuMinutes), gain)], colour);
            kl.Line([(0, 0), (mine.Average(p => p.SqrtKl), gain)], colour);
            kl.Legend(row++, colour, method.ToUpperInvariant());
        }
        return SvgText.End(svg);
    }
}
