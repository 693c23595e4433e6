using System.Runtime.InteropServices;
using Rlhf.Training;

namespace Rlhf.Training.Tests;

/// <summary>
/// <see cref="NativeHeap"/> keeps freed blocks over glibc's 32 MB mmap threshold mapped (up to a thread arena's 64 MB heap;
/// larger blocks of a thread other than the main one are mmapped whatever the settings), so allocating one again does
/// not fault its pages in again; after <see cref="NativeHeap.GiveBackFreedMemory"/> they are the kernel's again. Counted
/// with this thread's minor page faults (/proc/thread-self/stat), not timed. Other tests of this process allocate too, so
/// each side is judged on its best of three tries: the kept heap needs one reuse, the giving back one try with all faults.
/// </summary>
public sealed class NativeHeapTests
{
    /// <summary>Over glibc's largest mmap threshold (32 MB), under a thread arena's heap (64 MB): a tensor of 12M floats.</summary>
    private const int Bytes = 48 << 20;
    private const int Pages = Bytes / 4096;

    [Fact]
    public void Freed_large_blocks_stay_mapped_for_the_next_allocation_until_given_back()
    {
        Assert.True(OperatingSystem.IsLinux(), "the platform runs on Linux with glibc");
        Assert.True(NativeHeap.KeepFreedMemory());
        AllocateTouchFree(); // the first ones map the pages (a new arena heap, then the block at its top)
        AllocateTouchFree();

        var kept = Enumerable.Range(0, 3).Select(_ => AllocateTouchFree()).Min();
        Assert.True(kept < Pages / 20, $"{kept} page faults for {Pages} pages allocated again: the freed block was not kept");

        NativeHeap.GiveBackFreedMemory();
        Assert.False(NativeHeap.KeepingFreedMemory);
        var givenBack = Enumerable.Range(0, 3).Select(_ => AllocateTouchFree()).Max();
        Assert.True(givenBack > Pages / 2, $"{givenBack} page faults for {Pages} pages once glibc's settings are back: the block was still kept");
        Assert.True(NativeHeap.KeepFreedMemory()); // as the trainers of this process set it
    }

    /// <summary>malloc (Marshal.AllocHGlobal), one write per page, free; the minor page faults this thread took meanwhile.</summary>
    private static long AllocateTouchFree()
    {
        var before = MinorFaultsOfThisThread();
        var block = Marshal.AllocHGlobal(Bytes);
        try
        {
            for (var offset = 0; offset < Bytes; offset += 4096) Marshal.WriteByte(block, offset, 1);
            return MinorFaultsOfThisThread() - before;
        }
        finally { Marshal.FreeHGlobal(block); }
    }

    /// <summary>Field 10 (minflt) of /proc/thread-self/stat; the fields after the command's closing parenthesis start at field 3.</summary>
    private static long MinorFaultsOfThisThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[10 - 3]);
    }
}
