using System.Globalization;
using System.Text;

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
        var (xMin, xMax) = (0.0, Math.Max(1e-6, xs.Max()));
        var (yMin, yMax) = (Math.Min(0, Math.Min(gold.Min(), proxy.Min())), Math.Max(0, Math.Max(gold.Max(), proxy.Max())));
        if (yMax - yMin < 1e-6) yMax = yMin + 1;
        var pad = 0.05 * (yMax - yMin);
        (yMin, yMax) = (yMin - pad, yMax + pad);
        double X(double v) => Left + (v - xMin) / (xMax - xMin) * (Width - Left - Right);
        double Y(double v) => Height - Bottom - (v - yMin) / (yMax - yMin) * (Height - Top - Bottom);
        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.AppendLine($"<text x=\"{Width / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>");
        // Axes, ticks and grid.
        for (var i = 0; i <= 5; i++)
        {
            var xv = xMin + i * (xMax - xMin) / 5;
            var yv = yMin + i * (yMax - yMin) / 5;
            svg.AppendLine($"<line x1=\"{F(X(xv))}\" y1=\"{Top}\" x2=\"{F(X(xv))}\" y2=\"{Height - Bottom}\" stroke=\"#eee\"/>");
            svg.AppendLine($"<text x=\"{F(X(xv))}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{xv.ToString("0.00", CultureInfo.InvariantCulture)}</text>");
            svg.AppendLine($"<line x1=\"{Left}\" y1=\"{F(Y(yv))}\" x2=\"{Width - Right}\" y2=\"{F(Y(yv))}\" stroke=\"#eee\"/>");
            svg.AppendLine($"<text x=\"{Left - 8}\" y=\"{F(Y(yv) + 4)}\" text-anchor=\"end\">{yv.ToString("0.00", CultureInfo.InvariantCulture)}</text>");
        }
        svg.AppendLine($"<line x1=\"{Left}\" y1=\"{F(Y(0))}\" x2=\"{Width - Right}\" y2=\"{F(Y(0))}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>");
        svg.AppendLine($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" fill=\"none\" stroke=\"#333\"/>");
        svg.AppendLine($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 18}\" text-anchor=\"middle\">d = sqrt(KL from the reference policy), sqrt(nats)</text>");
        svg.AppendLine($"<text transform=\"translate(18 {(Top + Height - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">score change from the first update</text>");
        Series(svg, xs, gold, X, Y, "#1f77b4", "gold (judge)", 0);
        Series(svg, xs, proxy, X, Y, "#d62728", "proxy (reward model)", 1);
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static void Series(StringBuilder svg, double[] xs, double[] ys, Func<double, double> X, Func<double, double> Y, string colour, string name, int row)
    {
        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        // Every update as a dot; the line is a running mean over the 5 nearest updates in KL order (KL is not
        // monotonic in the update number, so a line in update order zig-zags).
        foreach (var (x, y) in xs.Zip(ys)) svg.AppendLine($"<circle cx=\"{F(X(x))}\" cy=\"{F(Y(y))}\" r=\"2.5\" fill=\"{colour}\" fill-opacity=\"0.45\"/>");
        var sorted = xs.Zip(ys).OrderBy(p => p.First).ToArray();
        var smoothed = sorted.Select((_, i) =>
        {
            var window = sorted[Math.Max(0, i - 2)..Math.Min(sorted.Length, i + 3)];
            return (X: window.Average(p => p.First), Y: window.Average(p => p.Second));
        });
        var points = string.Join(' ', smoothed.Select(p => $"{F(X(p.X))},{F(Y(p.Y))}"));
        svg.AppendLine($"<polyline points=\"{points}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>");
        var ly = Top + 10 + row * 22;
        svg.AppendLine($"<line x1=\"{Width - Right + 12}\" y1=\"{ly}\" x2=\"{Width - Right + 36}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"/>");
        svg.AppendLine($"<text x=\"{Width - Right + 42}\" y=\"{ly + 4}\">{Escape(name)}</text>");
    }

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
