namespace Rlhf.Core.Rating;

/// <summary>
/// Inter-rater agreement statistics as pure functions, each checked against a published worked example.
/// </summary>
/// <remarks>
/// Our votes are -2..2 relative to the comparison's A and B. "Direction" agreement uses sign() with 3 categories
/// (A, tie, B): Fleiss' kappa on those counts, nominal alpha, percent agreement on signs, and
/// <see cref="AgreementWithOthers"/>. "Strength" agreement uses the 5 points with ordinal alpha
/// (<see cref="AlphaMetric.Ordinal"/>). Functions return NaN where the statistic is undefined (no pairable data, or
/// no variation to correct for chance) rather than throwing, so a dashboard can show "n/a" for a young project.
/// </remarks>
public static partial class AgreementStatistics
{
    /// <summary>
    /// Pairwise percent agreement: of all pairs of values given to the same unit, the share that are equal.
    /// Units with more values weigh more because they hold more pairs. NaN when no unit has two values.
    /// </summary>
    /// <param name="valuesPerUnit">For each unit (comparison), the values its raters gave, any number of them.</param>
    public static double PercentAgreement(IReadOnlyList<IReadOnlyList<int>> valuesPerUnit)
    {
        ArgumentNullException.ThrowIfNull(valuesPerUnit);
        double agreeing = 0, pairs = 0;
        foreach (var unit in valuesPerUnit)
        {
            ArgumentNullException.ThrowIfNull(unit, nameof(valuesPerUnit));
            double m = unit.Count;
            pairs += m * (m - 1) / 2;
            foreach (var group in unit.GroupBy(v => v))
            {
                double n = group.Count();
                agreeing += n * (n - 1) / 2;
            }
        }
        return pairs == 0 ? double.NaN : agreeing / pairs;
    }

    /// <summary>
    /// Cohen's kappa for two raters who rated the same items: (p_o - p_e) / (1 - p_e), with p_o the share of items
    /// they agree on and p_e the agreement expected from each rater's own category frequencies.
    /// NaN for no pairs, or when p_e is 1 (both raters always used the same single category).
    /// </summary>
    /// <param name="pairs">One (first rater's value, second rater's value) per item.</param>
    public static double CohenKappa(IReadOnlyList<(int, int)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0)
            return double.NaN;
        var first = new Dictionary<int, int>();
        var second = new Dictionary<int, int>();
        var agreeing = 0;
        foreach (var (x, y) in pairs)
        {
            if (x == y)
                agreeing++;
            first[x] = first.GetValueOrDefault(x) + 1;
            second[y] = second.GetValueOrDefault(y) + 1;
        }
        double n = pairs.Count;
        var observed = agreeing / n;
        var expected = first.Sum(kv => kv.Value / n * (second.GetValueOrDefault(kv.Key) / n));
        return expected >= 1 ? double.NaN : (observed - expected) / (1 - expected);
    }

    /// <summary>
    /// Fleiss' kappa (Fleiss 1971) for a fixed number of raters per item, not necessarily the same raters:
    /// (P̄ - P̄e) / (1 - P̄e), with P̄ the mean share of agreeing rater pairs per item and P̄e the sum of squared
    /// overall category shares. For our votes use 3 categories (A, tie, B) and the first k votes of each comparison,
    /// since adaptive overlap and gold give some comparisons more. NaN for no items, fewer than 2 raters per item,
    /// or when every rating fell in one category.
    /// </summary>
    /// <param name="countsPerItem">For each item, how many raters chose each category; same length and same total
    /// (the number of raters) for every item.</param>
    /// <exception cref="ArgumentException">Items differ in their number of categories or of raters.</exception>
    public static double FleissKappa(IReadOnlyList<IReadOnlyList<int>> countsPerItem)
    {
        ArgumentNullException.ThrowIfNull(countsPerItem);
        if (countsPerItem.Count == 0)
            return double.NaN;
        var categories = countsPerItem[0].Count;
        var raters = countsPerItem[0].Sum();
        var categoryTotals = new double[categories];
        double sumAgreement = 0;
        foreach (var item in countsPerItem)
        {
            ArgumentNullException.ThrowIfNull(item, nameof(countsPerItem));
            if (item.Count != categories)
                throw new ArgumentException("Every item must have the same number of categories.", nameof(countsPerItem));
            if (item.Any(c => c < 0))
                throw new ArgumentException("Counts cannot be negative.", nameof(countsPerItem));
            if (item.Sum() != raters)
                throw new ArgumentException("Fleiss' kappa needs the same number of raters on every item.", nameof(countsPerItem));
            double squares = 0;
            for (var j = 0; j < categories; j++)
            {
                squares += (double)item[j] * item[j];
                categoryTotals[j] += item[j];
            }
            if (raters >= 2)
                sumAgreement += (squares - raters) / ((double)raters * (raters - 1));
        }
        if (raters < 2)
            return double.NaN;
        var meanAgreement = sumAgreement / countsPerItem.Count;
        double allRatings = (double)countsPerItem.Count * raters;
        var chance = categoryTotals.Sum(t => t / allRatings * (t / allRatings));
        return chance >= 1 ? double.NaN : (meanAgreement - chance) / (1 - chance);
    }
}
