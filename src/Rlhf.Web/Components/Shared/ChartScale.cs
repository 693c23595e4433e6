namespace Rlhf.Web.Components.Shared;

/// <summary>
/// A y axis fitted to a chart's values. MudChart's tick spacing is a whole number (20 by default), which flattens losses,
/// accuracies and strengths of about 1, so small values are drawn scaled by a power of ten (<see cref="Factor"/>) and the
/// axis labels divide it back (<see cref="Label"/>). The axis always shows 0.
/// </summary>
internal sealed record ChartScale(double Factor, int Ticks, int Digits)
{
    public static ChartScale Of(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        var (min, max) = finite.Count == 0 ? (0.0, 1.0) : (Math.Min(0, finite.Min()), Math.Max(0, finite.Max()));
        var range = Math.Max(max - min, 1e-9);
        var factor = range >= 10 ? 1 : Math.Pow(10, Math.Ceiling(Math.Log10(10 / range)));
        return new ChartScale(factor, Math.Max(1, (int)Math.Round(range * factor / 5)), (int)Math.Max(0, Math.Round(Math.Log10(factor))));
    }

    /// <summary>The axis label of a drawn (scaled) value.</summary>
    public string Label(double scaled) => (scaled / Factor).ToString("F" + Math.Min(4, Digits));
}
