using System.Globalization;
using System.Text;

namespace Rlhf.Bench.Loop;

/// <summary>The pieces every benchmark chart's SVG starts and ends with, and its number and text formatting.</summary>
public static class SvgText
{
    /// <summary>A coordinate: at most two decimals, invariant culture.</summary>
    public static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>The svg element, a white background and the centred title.</summary>
    public static StringBuilder Begin(int width, int height, string title)
    {
        var svg = new StringBuilder();
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.AppendLine($"<text x=\"{width / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>");
        return svg;
    }

    public static string End(StringBuilder svg)
    {
        svg.AppendLine("</svg>");
        return svg.ToString();
    }
}
