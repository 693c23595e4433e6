using Rlhf.Training.Optim;

namespace Rlhf.Training.Tests.Optim;

public class LearningRateScheduleTests
{
    [Fact]
    public void Learning_rate_warms_up_linearly_then_decays_by_cosine_to_the_minimum()
    {
        const double peak = 1e-3, min = 1e-4;
        double At(int step) => LearningRateSchedule.At(step, 101, peak, min, 10);
        Assert.Equal(peak * 1 / 11, At(0), 12);
        Assert.Equal(peak * 10 / 11, At(9), 12);
        Assert.Equal(peak, At(10), 12);
        Assert.Equal(min + 0.5 * (peak - min), At(55), 12);   // half-way through the decay
        Assert.Equal(min, At(100), 12);
        for (var s = 11; s <= 100; s++) Assert.True(At(s) < At(s - 1));
    }
}
