using Rlhf.Bench.Loop;
using Rlhf.Jobs.Training;

namespace Rlhf.Bench.Tests.Loop;

/// <summary>The loop benchmark's PPO run is a site run (PpoRunDefaults) sized for the benchmark, differing only where it says so.</summary>
public class LoopBenchmarkOptionsTests
{
    [Fact]
    public void The_loop_benchmark_runs_a_site_run_sized_for_the_benchmark()
    {
        var bench = new LoopBenchmarkOptions();
        var site = PpoRunDefaults.Config;
        Assert.Null(bench.Problem());
        Assert.Equal(bench.ResponseLength, bench.Ppo.ResponseLength);
        Assert.Equal(site, bench.Ppo with
        {
            Steps = site.Steps, ResponseLength = site.ResponseLength, KlCoef = site.KlCoef, SampleEvery = site.SampleEvery,
            CheckpointEvery = site.CheckpointEvery,
        });
    }
}
