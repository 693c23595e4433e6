namespace Rlhf.Training.Optim;

/// <summary>nanoGPT's schedule: linear warm-up to the peak, then cosine decay to the minimum at the last step.</summary>
public static class LearningRateSchedule
{
    /// <summary>The learning rate of step <paramref name="step"/> (0-based) of <paramref name="steps"/>.</summary>
    public static double At(int step, int steps, double peak, double min, int warmup)
    {
        if (step < warmup) return peak * (step + 1) / (warmup + 1);
        if (steps - 1 <= warmup) return peak;
        var ratio = Math.Clamp((double)(step - warmup) / (steps - 1 - warmup), 0.0, 1.0);
        var coeff = 0.5 * (1.0 + Math.Cos(Math.PI * ratio));   // 1 -> 0
        return min + coeff * (peak - min);
    }
}
