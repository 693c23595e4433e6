namespace Rlhf.Core.Rating;

public static partial class AgreementStatistics
{
    /// <summary>
    /// Krippendorff's alpha, 1 - D_o / D_e, computed through the coincidence matrix as in Krippendorff (2011),
    /// "Computing Krippendorff's Alpha-Reliability". It fits our data as it is: any number of raters per comparison,
    /// different raters on different comparisons, missing votes.
    /// </summary>
    /// <remarks>
    /// Each unit with m ≥ 2 values adds every ordered pair of its values, weighted 1 / (m - 1), to the coincidence
    /// matrix o; n_c are its margins and n their total (the pairable values). Then
    /// alpha = 1 - (n - 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck. Units with fewer than 2 values are ignored (they hold no
    /// pair). NaN when no value is pairable, or when the pairable values show no variation (all equal, so the
    /// expected disagreement is 0 and chance cannot be corrected for).
    /// </remarks>
    /// <param name="valuesPerUnit">For each unit (comparison), the values its raters gave.</param>
    /// <param name="metric">The difference function; for 5-point strengths use <see cref="AlphaMetric.Ordinal"/>,
    /// for directions (sign) <see cref="AlphaMetric.Nominal"/>.</param>
    public static double KrippendorffAlpha(IReadOnlyList<IReadOnlyList<int>> valuesPerUnit, AlphaMetric metric)
    {
        ArgumentNullException.ThrowIfNull(valuesPerUnit);
        if (valuesPerUnit.Any(u => u is null))
            throw new ArgumentException("A unit cannot be null.", nameof(valuesPerUnit));
        var pairable = valuesPerUnit.Where(u => u.Count >= 2).ToList();

        var values = pairable.SelectMany(u => u).Distinct().Order().ToArray();
        if (values.Length == 0)
            return double.NaN;
        var index = new Dictionary<int, int>();
        for (var i = 0; i < values.Length; i++)
            index[values[i]] = i;

        var v = values.Length;
        var coincidences = new double[v, v];
        foreach (var unit in pairable)
        {
            var counts = new double[v];
            foreach (var value in unit)
                counts[index[value]]++;
            double weight = 1.0 / (unit.Count - 1);
            for (var c = 0; c < v; c++)
            {
                if (counts[c] == 0)
                    continue;
                for (var k = 0; k < v; k++)
                    coincidences[c, k] += counts[c] * (counts[k] - (c == k ? 1 : 0)) * weight;
            }
        }

        var margins = new double[v];
        for (var c = 0; c < v; c++)
            for (var k = 0; k < v; k++)
                margins[c] += coincidences[c, k];
        var n = margins.Sum();

        double observed = 0, expected = 0;
        for (var c = 0; c < v; c++)
        {
            for (var k = 0; k < v; k++)
            {
                if (c == k)
                    continue;
                var delta = SquaredDifference(metric, values, margins, c, k);
                observed += coincidences[c, k] * delta;
                expected += margins[c] * margins[k] * delta;
            }
        }
        if (expected == 0)
            return double.NaN;
        return 1 - (n - 1) * observed / expected;
    }

    /// <summary>δ² between the values at sorted positions c and k (c ≠ k) under the metric.</summary>
    private static double SquaredDifference(AlphaMetric metric, int[] values, double[] margins, int c, int k)
    {
        switch (metric)
        {
            case AlphaMetric.Nominal:
                return 1;
            case AlphaMetric.Interval:
                double d = values[c] - values[k];
                return d * d;
            case AlphaMetric.Ordinal:
                var (low, high) = c < k ? (c, k) : (k, c);
                double between = 0;
                for (var g = low; g <= high; g++)
                    between += margins[g];
                var rankDistance = between - (margins[low] + margins[high]) / 2;
                return rankDistance * rankDistance;
            default:
                throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown alpha metric.");
        }
    }
}
