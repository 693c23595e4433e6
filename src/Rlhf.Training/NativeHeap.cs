using System.Runtime.InteropServices;

namespace Rlhf.Training;

/// <summary>
/// glibc's malloc, set for training. libtorch takes its tensors from malloc, and glibc serves every block over 32 MB
/// (the logits [B, T, vocab], their log-softmax and gradients, an embedding's gradient, a bf16 copy of it) with a fresh
/// mmap and returns it to the kernel on free: every step then faults those pages in again and the kernel zeroes them.
/// A perf profile of a bf16 PPO update at SmolLM2-135M's shapes had 33 % of its samples in the kernel's clear_page.
/// <see cref="KeepFreedMemory"/> serves large blocks from the heap (M_MMAP_MAX = 0) and keeps freed memory there
/// (M_TRIM_THRESHOLD, M_TOP_PAD), so the next step reuses pages that are already mapped. (A thread other than the main
/// one allocates from its own arena, whose heaps hold at most 64 MB: larger blocks stay mmapped whatever the settings.)
/// <see cref="GiveBackFreedMemory"/>
/// restores glibc's settings and trims once a job is over, so a site that ran a job does not keep its peak. Set for the
/// whole of a CLI process (its Program) and, in the site and `rlhf worker`, by the job runner around each job only.
/// Linux with glibc only; elsewhere both do nothing. <see cref="Variable"/> = 0 turns it off (to measure the difference).
/// </summary>
public static class NativeHeap
{
    /// <summary>Set to 0 to leave malloc as glibc ships it.</summary>
    public const string Variable = "RLHF_KEEP_FREED_NATIVE_MEMORY";

    private const int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_THRESHOLD = -3, M_MMAP_MAX = -4;
    private const int GlibcDefaultThreshold = 128 * 1024, GlibcDefaultMmapMax = 65536;   // man mallopt
    private static readonly object Gate = new();
    private static bool _keeping;

    /// <summary>Whether malloc keeps freed memory now.</summary>
    public static bool KeepingFreedMemory
    {
        get { lock (Gate) { return _keeping; } }
    }

    /// <summary>Sets malloc to keep freed memory mapped for reuse. Returns whether it is in effect (not on other C libraries, nor with <see cref="Variable"/> = 0).</summary>
    public static bool KeepFreedMemory()
    {
        lock (Gate)
        {
            if (!_keeping && Environment.GetEnvironmentVariable(Variable) != "0" && OperatingSystem.IsLinux())
                _keeping = TrySet(mmapMax: 0, trimThreshold: int.MaxValue, topPad: 256 << 20); // give back only when 2 GB sit free at the top; grow 256 MB at a time
            return _keeping;
        }
    }

    /// <summary>
    /// Back to glibc's settings (blocks of 128 KB and more mmapped, free memory over 128 KB at a heap's top given back),
    /// and malloc_trim: the main heap and every arena's free chunks go back to the kernel now, a thread arena's top at its
    /// next free. Nothing when not keeping.
    /// </summary>
    public static void GiveBackFreedMemory()
    {
        lock (Gate)
        {
            if (!_keeping) return;
            TrySet(GlibcDefaultMmapMax, GlibcDefaultThreshold, GlibcDefaultThreshold);
            TrySetOne(M_MMAP_THRESHOLD, GlibcDefaultThreshold);
            try { malloc_trim(0); }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { }
            _keeping = false;
        }
    }

    /// <summary>mallopt returns 1 on success; the settings apply to every arena from the next allocation on.</summary>
    private static bool TrySet(int mmapMax, int trimThreshold, int topPad) =>
        TrySetOne(M_MMAP_MAX, mmapMax) & TrySetOne(M_TRIM_THRESHOLD, trimThreshold) & TrySetOne(M_TOP_PAD, topPad);

    private static bool TrySetOne(int param, int value)
    {
        try { return mallopt(param, value) == 1; }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return false; } // not glibc (musl, macOS, Windows)
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);
}
