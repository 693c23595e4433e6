namespace Rlhf.Jobs.Generation;

/// <summary>How candidate responses to one prompt become comparisons (A, B).</summary>
public static class ResponsePairing
{
    /// <summary>
    /// Pairs for one prompt. Identical texts count once. From one model: every pair of distinct candidates. From
    /// two models: the i-th response of the first against the i-th of the second (cycling the shorter list).
    /// </summary>
    public static IReadOnlyList<(long A, long B)> Pairs(IReadOnlyList<IReadOnlyList<(long Id, string Text)>> byModel)
    {
        var distinct = byModel.Select(list => Distinct(list)).ToList();
        var pairs = new List<(long, long)>();
        if (distinct.Count == 1)
        {
            var c = distinct[0];
            for (var i = 0; i < c.Count; i++)
                for (var j = i + 1; j < c.Count; j++)
                    pairs.Add((c[i].Id, c[j].Id));
        }
        else if (distinct.Count == 2 && distinct[0].Count > 0 && distinct[1].Count > 0)
        {
            var (first, second) = (distinct[0], distinct[1]);
            var seen = new HashSet<string>();
            for (var i = 0; i < Math.Max(first.Count, second.Count); i++)
            {
                var a = first[i % first.Count];
                var b = second[i % second.Count];
                if (a.Text == b.Text || !seen.Add($"{a.Id}:{b.Id}")) continue;
                pairs.Add((a.Id, b.Id));
            }
        }
        return pairs;
    }

    private static List<(long Id, string Text)> Distinct(IReadOnlyList<(long Id, string Text)> list)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return list.Where(r => seen.Add(r.Text.Trim())).ToList();
    }
}
