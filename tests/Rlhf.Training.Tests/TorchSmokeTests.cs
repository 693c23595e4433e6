using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests;

/// <summary>Proves the native libtorch runtime loads: a matmul and one backward pass with known values.</summary>
public class TorchSmokeTests
{
    [Fact]
    public void Matmul_and_backward_give_known_values()
    {
        TorchThreads.EnsureConfigured();
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2], requires_grad: true);
        var b = tensor(new float[] { 5, 6, 7, 8 }, [2, 2], requires_grad: true);

        var c = a.matmul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());

        c.sum().backward();
        // d sum(a @ b) / da = ones @ b^T, / db = a^T @ ones
        Assert.Equal(new float[] { 11, 15, 11, 15 }, a.grad!.data<float>().ToArray());
        Assert.Equal(new float[] { 4, 4, 6, 6 }, b.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Thread_cap_is_set_once()
    {
        var first = TorchThreads.EnsureConfigured();
        Assert.InRange(first, 1, 2);
        Assert.Equal(first, TorchThreads.EnsureConfigured(7));
        Assert.Equal(first, get_num_threads());
    }
}
