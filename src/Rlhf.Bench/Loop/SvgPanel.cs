using System.Globalization;
using System.Text;
using static Rlhf.Bench.Loop.SvgText;

namespace Rlhf.Bench.Loop;

/// <summary>
/// One plot area of a benchmark chart: a data range mapped onto a rectangle of the SVG, with its grid, ticks, frame,
/// axis titles, dots, lines and a legend to its right. A chart is one or more panels in one <see cref="SvgText.Begin"/>.
/// </summary>
public sealed class SvgPanel
{
    private readonly StringBuilder _svg;
    private readonly double _left, _top, _width, _height, _xMin, _xMax, _yMin, _yMax;

    /// <summary>
    /// A panel at (<paramref name="left"/>, <paramref name="top"/>) of the given size. The x range starts at
    /// <paramref name="xMin"/>; the y range always holds 0 and gets 5 % padding at both ends.
    /// </summary>
    public SvgPanel(StringBuilder svg, double left, double top, double width, double height, double xMin, double xMax, IEnumerable<double> ys)
    {
        _svg = svg;
        (_left, _top, _width, _height) = (left, top, width, height);
        (_xMin, _xMax) = (xMin, Math.Max(xMin + 1e-6, xMax));
        var values = ys.Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        var (yMin, yMax) = (Math.Min(0, values.Min()), Math.Max(0, values.Max()));
        if (yMax - yMin < 1e-6) yMax = yMin + 1;
        var pad = 0.05 * (yMax - yMin);
        (_yMin, _yMax) = (yMin - pad, yMax + pad);
    }

    public double X(double v) => _left + (v - _xMin) / (_xMax - _xMin) * _width;
    public double Y(double v) => _top + _height - (v - _yMin) / (_yMax - _yMin) * _height;
    public double Right => _left + _width;

    /// <summary>Grid lines and tick labels at 6 values of each axis, a dashed line at y = 0, the frame and both axis titles.</summary>
    public void Frame(string xTitle, string yTitle)
    {
        var bottom = _top + _height;
        for (var i = 0; i <= 5; i++)
        {
            var xv = _xMin + i * (_xMax - _xMin) / 5;
            var yv = _yMin + i * (_yMax - _yMin) / 5;
            _svg.AppendLine($"<line x1=\"{F(X(xv))}\" y1=\"{F(_top)}\" x2=\"{F(X(xv))}\" y2=\"{F(bottom)}\" stroke=\"#eee\"/>");
            _svg.AppendLine($"<text x=\"{F(X(xv))}\" y=\"{F(bottom + 18)}\" text-anchor=\"middle\">{xv.ToString("0.00", CultureInfo.InvariantCulture)}</text>");
            _svg.AppendLine($"<line x1=\"{F(_left)}\" y1=\"{F(Y(yv))}\" x2=\"{F(Right)}\" y2=\"{F(Y(yv))}\" stroke=\"#eee\"/>");
            _svg.AppendLine($"<text x=\"{F(_left - 8)}\" y=\"{F(Y(yv) + 4)}\" text-anchor=\"end\">{yv.ToString("0.00", CultureInfo.InvariantCulture)}</text>");
        }
        _svg.AppendLine($"<line x1=\"{F(_left)}\" y1=\"{F(Y(0))}\" x2=\"{F(Right)}\" y2=\"{F(Y(0))}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>");
        _svg.AppendLine($"<rect x=\"{F(_left)}\" y=\"{F(_top)}\" width=\"{F(_width)}\" height=\"{F(_height)}\" fill=\"none\" stroke=\"#333\"/>");
        _svg.AppendLine($"<text x=\"{F(_left + _width / 2)}\" y=\"{F(bottom + 42)}\" text-anchor=\"middle\">{Escape(xTitle)}</text>");
        _svg.AppendLine($"<text transform=\"translate({F(_left - 52)} {F(_top + _height / 2)}) rotate(-90)\" text-anchor=\"middle\">{Escape(yTitle)}</text>");
    }

    public void Dot(double x, double y, string colour, double radius = 2.5, double opacity = 0.45) =>
        _svg.AppendLine($"<circle cx=\"{F(X(x))}\" cy=\"{F(Y(y))}\" r=\"{F(radius)}\" fill=\"{colour}\" fill-opacity=\"{F(opacity)}\"/>");

    public void Line(IEnumerable<(double X, double Y)> points, string colour) =>
        _svg.AppendLine($"<polyline points=\"{string.Join(' ', points.Select(p => $"{F(X(p.X))},{F(Y(p.Y))}"))}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>");

    /// <summary>A legend entry (a short line in the colour and the name) in row <paramref name="row"/> to the right of the panel.</summary>
    public void Legend(int row, string colour, string name)
    {
        var ly = _top + 10 + row * 22;
        _svg.AppendLine($"<line x1=\"{F(Right + 12)}\" y1=\"{F(ly)}\" x2=\"{F(Right + 36)}\" y2=\"{F(ly)}\" stroke=\"{colour}\" stroke-width=\"2\"/>");
        _svg.AppendLine($"<text x=\"{F(Right + 42)}\" y=\"{F(ly + 4)}\">{Escape(name)}</text>");
    }
}
