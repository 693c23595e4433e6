namespace Rlhf.Training.Optim;

/// <summary>Deterministic seed derivation (SplitMix64), independent of the process (unlike HashCode).</summary>
internal static class SeedMix
{
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>A System.Random seed from a 64-bit seed.</summary>
    public static int ToInt32(long seed) => unchecked((int)Mix((ulong)seed));

    /// <summary>A System.Random seed for stream <paramref name="index"/> of <paramref name="seed"/>.</summary>
    public static int ToInt32(long seed, long index) => unchecked((int)Mix(Mix((ulong)seed) ^ (ulong)index));
}
