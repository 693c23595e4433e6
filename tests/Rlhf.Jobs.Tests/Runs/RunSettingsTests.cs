using System.Text.Json;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;
using Rlhf.Jobs.Training;
using Rlhf.Training.Ppo;
using Rlhf.Training.Reward;

namespace Rlhf.Jobs.Tests.Runs;

/// <summary>Run kinds, versioned settings and their problems by field.</summary>
public class RunSettingsTests
{
    [Fact]
    public void Payloads_stored_before_settings_were_versioned_read_as_version_1()
    {
        var reward = RunKind.Reward.ReadSettings("""{"name":"rm","baseModelId":1,"projectId":3,"minimumAgreement":0.75,"config":{"epochs":2}}""");
        var rewardRequest = Assert.IsType<RewardRunRequest>(reward);
        Assert.Equal((1, "rm", 0.75, 2), (reward.Version, reward.Name, rewardRequest.Policy.MinimumAgreement, rewardRequest.Config.Epochs));

        var ppo = Assert.IsType<PpoRunRequest>(RunKind.Ppo.ReadSettings("""{"name":"p","policyModelId":1,"rewardModelId":2,"projectId":3,"heldOutFraction":0.2,"config":{"steps":7,"klCoef":0.1}}"""));
        Assert.Equal((1, 7, 0.1), (ppo.Version, ppo.Config.Steps, ppo.Config.KlCoef));
        Assert.Equal(new PpoConfig().LearningRate, ppo.Config.LearningRate);   // the trainer's default, not a copy
        Assert.Empty(ppo.Problems());
    }

    [Fact]
    public void New_payloads_carry_their_version_and_keep_the_first_shape()
    {
        var json = JsonSerializer.Serialize(new PpoRunRequest { Name = "p", Config = new PpoConfig { Steps = 3 } }, JobQueue.Json);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(RunSettingsVersion.Current, doc.RootElement.GetProperty("version").GetInt32());
        Assert.Equal(3, doc.RootElement.GetProperty("config").GetProperty("steps").GetInt32());
        Assert.False(doc.RootElement.TryGetProperty("kind", out _));
    }

    [Fact]
    public void Problems_name_the_field_they_belong_to_and_keep_the_CLI_wording()
    {
        var problems = new PpoRunRequest { Name = "", HeldOutFraction = 2, Config = new PpoConfig { KlCoef = -1, BatchSize = 5, MiniBatches = 2 } }.Problems();
        Assert.Contains(problems, p => p.Field == "Name" && p.Message.StartsWith("Name the run"));
        Assert.Contains(problems, p => p.Field == "HeldOutFraction");
        var kl = Assert.Single(problems, p => p.Field == "Config.KlCoef");
        Assert.Equal(("must be >= 0 (got -1)", "--kl-coef must be >= 0 (got -1)"), (kl.Message, kl.ToString()));
        // A problem involving another setting: the form's message names it in words, the CLI's sentence by its option.
        var batch = Assert.Single(problems, p => p.Field == "Config.BatchSize");
        Assert.Equal(("must be a multiple of the number of minibatches, 2 (got 5)", "--batch (5) must be a multiple of --minibatches (2)"), (batch.Message, batch.ToString()));

        var reward = new RewardRunRequest { Name = "rm", DataFile = "x.jsonl", Config = new RewardTrainingConfig { LearningRate = 0 } }.Problems();
        Assert.Equal([new RunSettingsProblem("Config.LearningRate", "must be > 0 (got 0)", "--lr must be > 0 (got 0)")], reward);
        Assert.Equal(["--lr must be > 0 (got 0)"], new RewardTrainingConfig { LearningRate = 0 }.Validate());
        Assert.Equal(["--lr must be > 0 (got 0)"], new RewardRunRequest { Name = "rm", DataFile = "x.jsonl", Config = new RewardTrainingConfig { LearningRate = 0 } }.Validate());

        var future = new RewardRunRequest { Name = "rm", DataFile = "x.jsonl", Version = RunSettingsVersion.Current + 1 }.Problems();
        Assert.Equal("Version", Assert.Single(future).Field);
    }

    [Fact]
    public void Run_kinds_are_a_closed_set_named_in_JSON()
    {
        Assert.Same(RunKind.Reward, RunKind.OfJob(RewardRunJobHandler.JobKind));
        Assert.Same(RunKind.Ppo, RunKind.OfJob(PpoRunJobHandler.JobKind));
        Assert.Null(RunKind.OfJob("generation"));
        Assert.Equal("\"ppo\"", JsonSerializer.Serialize(RunKind.Ppo));
        Assert.Same(RunKind.Reward, JsonSerializer.Deserialize<RunKind>("\"reward\""));
        var settings = JsonSerializer.Serialize<IRunSettings>(new PpoRunRequest { Name = "p" }, JobQueue.Json);
        Assert.Contains("\"kind\":\"ppo\"", settings);
    }

    [Fact]
    public void A_runs_folder_holds_its_model_checkpoint_samples_and_disagreements()
    {
        var artifacts = RunArtifacts.Of(new Rlhf.Data.Hosting.RlhfPaths("/site", "/data"), 7);
        Assert.Equal(Path.Combine("/data", "runs", "7"), artifacts.Folder);
        Assert.Equal(Path.Combine("/data", "runs", "7", "model"), artifacts.ModelFolder);
        Assert.Equal(Path.Combine("/data", "runs", "7", "checkpoint"), artifacts.CheckpointFolder);
        Assert.Equal(Path.Combine("/data", "runs", "7", "samples.jsonl"), artifacts.SamplesFile);
        Assert.Equal(Path.Combine("/data", "runs", "7", "disagreements.json"), artifacts.DisagreementsFile);
    }
}
