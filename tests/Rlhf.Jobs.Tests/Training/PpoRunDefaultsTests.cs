using Rlhf.Jobs.Training;
using Rlhf.Training.Ppo;

namespace Rlhf.Jobs.Tests.Training;

/// <summary>A site PPO run starts from PpoConfig's defaults and differs only where it says so.</summary>
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
}
