namespace Rlhf.Demo.Corpus;

/// <summary>Small helpers for the seeded corpus generator (System.Random with a seed is stable across .NET versions).</summary>
internal static class RandomExtensions
{
    /// <summary>A uniformly chosen element.</summary>
    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public static bool Chance(this Random random, double p) => random.NextDouble() < p;

    /// <summary>An element different from <paramref name="not"/> (the list must hold at least two distinct values).</summary>
    public static T PickOther<T>(this Random random, IReadOnlyList<T> items, T not)
    {
        while (true)
        {
            var x = random.Pick(items);
            if (!EqualityComparer<T>.Default.Equals(x, not)) return x;
        }
    }

    /// <summary><paramref name="count"/> distinct elements in random order.</summary>
    public static List<T> PickDistinct<T>(this Random random, IReadOnlyList<T> items, int count)
    {
        var pool = items.ToList();
        var result = new List<T>(count);
        for (var i = 0; i < count && pool.Count > 0; i++)
        {
            var j = random.Next(pool.Count);
            result.Add(pool[j]);
            pool.RemoveAt(j);
        }
        return result;
    }
}
