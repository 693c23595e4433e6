using Rlhf.Training.Checkpoints;
using Rlhf.Training.Ppo;
using Rlhf.Training.Reward;

namespace Rlhf.Training.Tests.Checkpoints;

public class CheckpointSettingsTests
{
    private static CheckpointSettings Saved(params CheckpointSetting[] values) =>
        CheckpointSettings.Read(new CheckpointSettings(1, values).ToJson())!;

    [Fact]
    public void A_setting_the_checkpoint_does_not_name_is_taken_at_its_default()
    {
        var saved = Saved(CheckpointSetting.Of("learning_rate", 3e-5, 3e-5));
        var withNewAtDefault = new CheckpointSettings(1, [CheckpointSetting.Of("learning_rate", 3e-5, 3e-5), CheckpointSetting.Of("new_knob", 0.5, 0.5)]);
        var withNewChanged = new CheckpointSettings(1, [CheckpointSetting.Of("learning_rate", 3e-5, 3e-5), CheckpointSetting.Of("new_knob", 0.7, 0.5)]);

        Assert.Null(withNewAtDefault.DifferenceFrom(saved));
        Assert.Equal("new_knob 0.5 in the checkpoint, 0.7 now", withNewChanged.DifferenceFrom(saved));
    }

    [Fact]
    public void A_changed_setting_or_version_does_not_fit()
    {
        var saved = Saved(CheckpointSetting.Of("kl_coef", 0.05, 0.05), CheckpointSetting.Of("missing_eos_penalty", (double?)null, null));
        Assert.Equal("kl_coef 0.05 in the checkpoint, 0.1 now",
            new CheckpointSettings(1, [CheckpointSetting.Of("kl_coef", 0.1, 0.05), CheckpointSetting.Of("missing_eos_penalty", (double?)null, null)]).DifferenceFrom(saved));
        Assert.Equal("missing_eos_penalty null in the checkpoint, 1 now",
            new CheckpointSettings(1, [CheckpointSetting.Of("kl_coef", 0.05, 0.05), CheckpointSetting.Of("missing_eos_penalty", (double?)1.0, null)]).DifferenceFrom(saved));
        Assert.NotNull(new CheckpointSettings(2, saved.Values).DifferenceFrom(saved));
    }

    [Fact]
    public void Only_settings_that_shape_a_run_are_compared()
    {
        var ppo = new PpoConfig();
        var saved = CheckpointSettings.Read(PpoCheckpoint.SettingsOf(ppo).ToJson())!;
        Assert.Null(PpoCheckpoint.SettingsOf(ppo with { SampleEvery = 3, CheckpointEvery = 7 }).DifferenceFrom(saved));
        Assert.Contains("learning_rate", PpoCheckpoint.SettingsOf(ppo with { LearningRate = 1e-4 }).DifferenceFrom(saved));
        Assert.Contains("kl_coef", PpoCheckpoint.SettingsOf(ppo with { KlCoef = 0.2 }).DifferenceFrom(saved));

        var reward = new RewardTrainingConfig();
        var savedReward = CheckpointSettings.Read(RewardCheckpoint.SettingsOf(reward).ToJson())!;
        Assert.Null(RewardCheckpoint.SettingsOf(reward with { EvalEvery = 3, CheckpointEvery = 7 }).DifferenceFrom(savedReward));
        Assert.Contains("learning_rate", RewardCheckpoint.SettingsOf(reward with { LearningRate = 1e-3 }).DifferenceFrom(savedReward));
    }
}
