namespace Rlhf.Bench.Loop;

/// <summary>One trained policy on the method comparison chart: its method, gold gain over the reference, CPU-minutes and sqrt(KL).</summary>
public sealed record MethodPoint(string Method, double GoldGain, double CpuMinutes, double SqrtKl)
{
    public static MethodPoint Of(LoopMethodResult r) => new(r.Method, r.GoldGain, r.CpuMinutes, r.SqrtKl);
}
