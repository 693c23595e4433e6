using Rlhf.Jobs.Benchmarks;
using Rlhf.Jobs.Training;
using Rlhf.Training.Ppo;

namespace Rlhf.Jobs.Tests.Training;

/// <summary>A site PPO run and the loop benchmark start from PpoConfig's defaults and differ only where they say so.</summary>
public class PpoRunDefaultsTests
{
    [Fact]
    public void A_site_run_is_PpoConfigs_defaults_but_for_its_three_stated_choices()
    {
        var site = PpoRunDefaults.Config;
        Assert.Empty(site.Validate());
        Assert.Equal(new PpoConfig(), site with { Steps = new PpoConfig().Steps, CheckpointEvery = new PpoConfig().CheckpointEvery, MissingEosPenalty = new PpoConfig().MissingEosPenalty });
        Assert.True(site.CheckpointEvery < site.Steps, "a run of the default length has a checkpoint before it ends");
    }

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
