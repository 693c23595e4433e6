using System.Xml.Linq;
using Rlhf.Bench.Loop;

namespace Rlhf.Bench.Tests.Loop;

public class GoldProxyChartTests
{
    [Fact]
    public void The_chart_is_valid_svg_with_a_dot_per_update_and_one_smoothed_line_per_score()
    {
        var curve = Enumerable.Range(0, 12).Select(i => new LoopCurvePoint(i + 1, i * 0.5, Math.Sqrt(i * 0.5), 0.1 * i, 1.0 + 0.05 * i - 0.004 * i * i)).ToList();
        var svg = GoldProxyChart.Svg(curve, "gold <rises> & proxy");
        var doc = XDocument.Parse(svg);                                    // well-formed XML, title escaped
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(2, doc.Descendants(ns + "polyline").Count());
        Assert.Equal(2 * curve.Count, doc.Descendants(ns + "circle").Count());
        Assert.Contains("gold <rises> & proxy", doc.Descendants(ns + "text").Select(t => t.Value));
        // Both series start at the first update's value (change 0), on the dashed zero line.
        var zeroY = doc.Descendants(ns + "line").Single(l => (string?)l.Attribute("stroke-dasharray") is not null).Attribute("y1")!.Value;
        var firstDots = doc.Descendants(ns + "circle").Where(c => c.Attribute("cx")!.Value == "70").Select(c => c.Attribute("cy")!.Value).ToList();
        Assert.Equal([zeroY, zeroY], firstDots);
        Assert.Throws<ArgumentException>(() => GoldProxyChart.Svg([], "empty"));
    }
}
