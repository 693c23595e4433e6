using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rlhf.Core.Jobs;
using Rlhf.Data;
using Rlhf.Jobs;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Training;
using Rlhf.Training.Reward;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>
/// Kills an `rlhf worker` process in the middle of a reward run and checks that the run is never left running:
/// a second worker takes it over after the lease runs out and finishes it from its last checkpoint.
/// </summary>
public sealed class WorkerKillTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-worker-tests", Guid.NewGuid().ToString("N"));
    private string DatabasePath => Path.Combine(folder, "rlhf.db");
    private Dictionary<string, string> Env => new()
    {
        ["ConnectionStrings__Rlhf"] = $"Data Source={DatabasePath}",
        ["Jobs__LeaseSeconds"] = "3",
        ["Jobs__PollMilliseconds"] = "200",
    };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    private ServiceProvider Services()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Rlhf"] = $"Data Source={DatabasePath}",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddRlhfData(configuration, folder);
        services.AddRlhfJobs(configuration);
        return services.BuildServiceProvider();
    }

    private Process StartWorker()
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "rlhf.dll"), "worker"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (k, v) in Env) psi.Environment[k] = v;
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    [Fact]
    public async Task A_killed_worker_leaves_a_run_that_the_next_worker_finishes_from_its_checkpoint()
    {
        Directory.CreateDirectory(folder);
        Assert.Equal(0, (await CliProcess.RunAsync(Env, null, "db", "migrate")).ExitCode);
        var import = await CliProcess.RunAsync(Env, null, "models", "import", "--path", FixturePaths.Lm, "--name", "tiny-base");
        Assert.True(import.ExitCode == 0, import.Error);

        // 600 pairs with a learnable rule, enough steps to be caught in the middle.
        var data = Path.Combine(folder, "pairs.jsonl");
        await File.WriteAllLinesAsync(data, Enumerable.Range(0, 600).Select(i =>
            System.Text.Json.JsonSerializer.Serialize(new { prompt = $"Question {i % 37}?", chosen = $"Thanks, here is answer {i}.", rejected = $"No. {i}" })));

        long jobId;
        await using (var services = Services())
        {
            var runs = services.GetRequiredService<RewardRunService>();
            var (id, errors) = await runs.EnqueueAsync(new RewardRunRequest
            {
                Name = "killed-run", BaseModelId = 1, DataFile = data,
                Config = new RewardTrainingConfig { Epochs = 2, BatchPairs = 4, MaxLength = 24, CheckpointEvery = 5, EvalEvery = 10, LearningRate = 1e-3 },
            }, null);
            Assert.True(id is not null, string.Join(" ", errors));
            jobId = id!.Value;
        }

        var first = StartWorker();
        var checkpoint = Path.Combine(folder, "runs", jobId.ToString(), "checkpoint");
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!(Directory.Exists(checkpoint) && Directory.EnumerateFiles(checkpoint).Any()))
        {
            Assert.True(DateTime.UtcNow < deadline, "the first worker never wrote a checkpoint");
            Assert.False(first.HasExited, "the first worker exited on its own");
            await Task.Delay(100);
        }
        await Task.Delay(300);
        first.Kill(entireProcessTree: true); // like a crash or kill -9: no clean shutdown
        await first.WaitForExitAsync();

        await using (var services = Services())
        await using (var db = await services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync())
        {
            var job = await db.Jobs.SingleAsync(j => j.Id == jobId);
            Assert.Equal(JobStatus.Running, job.Status); // what the dead worker left
            Assert.True(job.Progress < 1);
        }

        var second = StartWorker();
        try
        {
            Job finished;
            deadline = DateTime.UtcNow.AddSeconds(240);
            while (true)
            {
                await using var services = Services();
                finished = (await services.GetRequiredService<JobQueue>().GetAsync(jobId))!;
                if (finished.Status is not (JobStatus.Queued or JobStatus.Running)) break;
                Assert.True(DateTime.UtcNow < deadline, $"the run is still {finished.Status}: {finished.Message}");
                await Task.Delay(250);
            }
            Assert.True(finished.Status == JobStatus.Succeeded, $"{finished.Status}: {finished.Error}");
            Assert.Equal(2, finished.Attempts);
            await using var check = Services();
            var log = await check.GetRequiredService<JobQueue>().ReadLogAsync(jobId);
            Assert.Contains(log, l => l.Message.StartsWith("Resumed by"));
            Assert.Contains(log, l => l.Message.StartsWith("Resuming killed-run") && l.Message.Contains(", from the checkpoint of step "));
            await using var db = await check.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
            var model = await db.Models.SingleAsync(m => m.Name == "killed-run");
            Assert.Equal(jobId, model.ProducedByJobId);
            Assert.NotNull(model.ValidationAccuracy);
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }
    }
}
