using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rlhf.Core.Jobs;
using Rlhf.Data.Audit;
using Rlhf.Data.Exchange;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Imports;
using Rlhf.Jobs.Runner;
using Xunit.Abstractions;

namespace Rlhf.Jobs.Tests.Imports;

public class ImportJobTests(ITestOutputHelper output)
{
    /// <summary>The import services, unless AddRlhfJobs/AddRlhfData already registers them (a handler kind must be registered once).</summary>
    internal static void Register(IServiceCollection services)
    {
        services.TryAddScoped<ImportService>();
        services.TryAddScoped<ImportJobs>();
        if (!services.Any(d => d.ServiceType == typeof(IJobHandler) && d.ImplementationType == typeof(ImportJobHandler)))
            services.AddScoped<IJobHandler, ImportJobHandler>();
    }

    private static Task<JobsHarness> HarnessAsync() => JobsHarness.CreateAsync(Register);

    private static async Task<EnqueueResult> EnqueueAsync(JobsHarness h, int project, byte[] bytes, string name, ImportOptions? options = null) =>
        await h.InScopeAsync(sp => sp.GetRequiredService<ImportJobs>()
            .EnqueueAsync(project, new MemoryStream(bytes), name, options ?? new ImportOptions(), new AuditActor(null, "tester")));

    private static string ImportsFolder(JobsHarness h) => ImportJobs.Folder(h.Services.GetRequiredService<RlhfPaths>());

    [Fact]
    public async Task An_upload_over_the_limit_is_refused_as_too_large_and_its_partial_copy_deleted()
    {
        await using var h = await JobsHarness.CreateAsync(services =>
        {
            Register(services);
            services.AddSingleton(new ImportSettings { MaxUploadBytes = 2048 });
        });
        var project = await h.ProjectWithPromptsAsync();
        var line = "{\"prompt\": \"" + new string('x', 100) + "\"}\n";

        var refused = await EnqueueAsync(h, project, Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(line, 30))), "big.jsonl");

        Assert.Equal(EnqueueOutcome.TooLarge, refused.Outcome);
        Assert.Equal("The upload is larger than 2 KiB (2048 bytes) (setting Imports:MaxUploadBytes); nothing was imported.", Assert.Single(refused.Errors));
        Assert.Empty(Directory.EnumerateFiles(ImportsFolder(h)));
        await using (var db = await h.DbAsync()) Assert.Empty(await db.Jobs.ToListAsync());
        Assert.Equal(EnqueueOutcome.Queued, (await EnqueueAsync(h, project, Encoding.UTF8.GetBytes(line), "small.jsonl")).Outcome);
    }

    [Fact]
    public async Task A_hundred_thousand_prompt_lines_import_through_the_job_with_progress_reaching_1()
    {
        await using var h = await HarnessAsync();
        var project = await h.ProjectWithPromptsAsync();
        const int count = 100_000;
        var text = new StringBuilder(count * 48);
        for (var i = 0; i < count; i++) text.Append("{\"prompt\": \"Prompt number ").Append(i).Append(": what should I do next?\"}\n");
        var (jobId, errors) = await EnqueueAsync(h, project, Encoding.UTF8.GetBytes(text.ToString()), "big.jsonl");
        Assert.Empty(errors);
        Assert.Single(Directory.GetFiles(ImportsFolder(h)));

        // Watch the job's progress from outside, as the Jobs page does (WAL: reads are not blocked by the import).
        var seen = new List<(double Progress, string? Message)>();
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await h.Queue.GetAsync(jobId!.Value) is { Status: JobStatus.Running } running) seen.Add((running.Progress, running.Message));
                await Task.Delay(50);
            }
        });
        var watch = Stopwatch.StartNew();
        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        watch.Stop();
        await stop.CancelAsync();
        await watcher;
        output.WriteLine($"{count} lines imported through the job in {watch.Elapsed.TotalSeconds:0.0} s; progress seen: " +
            string.Join(", ", seen.Select(s => $"{s.Progress:0.00}").Distinct()));
        Assert.Equal(seen.Select(s => s.Progress).Order(), seen.Select(s => s.Progress));
        Assert.Contains(seen, s => s.Progress == 0.5 && s.Message!.StartsWith("writing"));

        var job = (await h.Queue.GetAsync(jobId!.Value))!;
        Assert.True(job.Status == JobStatus.Succeeded, job.Error);
        Assert.Equal(1.0, job.Progress);
        await using var db = await h.DbAsync();
        Assert.Equal(count, await db.Prompts.CountAsync(p => p.ProjectId == project));
        Assert.Equal("Prompt number 99999: what should I do next?", await db.Prompts.OrderByDescending(p => p.Id).Select(p => p.Text).FirstAsync());
        var log = await h.Queue.ReadLogAsync(job.Id);
        Assert.Contains(log, l => l.Message.StartsWith("Imported 100,000 of 100,000 records"));
        Assert.Empty(Directory.GetFiles(ImportsFolder(h))); // the upload is deleted
        Assert.Equal(1, await db.AuditEvents.CountAsync(a => a.Action == "import.queued" && a.ActorName == "tester"));
        Assert.Equal(1, await db.AuditEvents.CountAsync(a => a.Action == "import.completed" && a.ActorName == "tester"));
    }

    [Fact]
    public async Task A_bad_file_fails_the_job_with_the_line_imports_nothing_and_is_deleted()
    {
        await using var h = await HarnessAsync();
        var project = await h.ProjectWithPromptsAsync();
        var (jobId, _) = await EnqueueAsync(h, project, Encoding.UTF8.GetBytes("{\"prompt\": \"fine\"}\n{\"prompt\": 3}\n{broken\n"), "bad.jsonl");

        await h.Runner.RunNextAsync(CancellationToken.None);

        var job = (await h.Queue.GetAsync(jobId!.Value))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal("Nothing imported: 2 errors, the first: line 2: field 'prompt' must be a string or a list of {\"role\", \"content\"} messages, not a number", job.Error);
        var log = await h.Queue.ReadLogAsync(job.Id);
        Assert.Contains(log, l => l.Level == "error" && l.Message.StartsWith("line 3: invalid JSON"));
        await using var db = await h.DbAsync();
        Assert.Equal(0, await db.Prompts.CountAsync());
        Assert.Equal(0, await db.AuditEvents.CountAsync(a => a.Action == "import.completed"));
        Assert.Empty(Directory.GetFiles(ImportsFolder(h)));
    }

    [Fact]
    public async Task Skipping_bad_lines_through_the_job_logs_them_as_warnings()
    {
        await using var h = await HarnessAsync();
        var project = await h.ProjectWithPromptsAsync();
        var csv = "prompt,chosen,rejected\np1,a,b\n,x,y\np3,c,d\n";
        var (jobId, _) = await EnqueueAsync(h, project, Encoding.UTF8.GetBytes(csv), "prefs.CSV", new ImportOptions { SkipBadLines = true });

        await h.Runner.RunNextAsync(CancellationToken.None);

        var job = (await h.Queue.GetAsync(jobId!.Value))!;
        Assert.True(job.Status == JobStatus.Succeeded, job.Error);
        var log = await h.Queue.ReadLogAsync(job.Id);
        Assert.Contains(log, l => l.Message.StartsWith("Imported 2 of 3 records: 2 prompts, 4 responses, 2 comparisons, 2 imported votes; 1 bad records skipped"));
        Assert.Contains(log, l => l.Level == "warning" && l.Message == "line 3: field 'prompt' is empty");
        await using var db = await h.DbAsync();
        Assert.Equal(2, await db.Votes.CountAsync());
    }

    [Fact]
    public async Task Enqueue_refuses_an_unknown_format_or_project_and_saves_nothing()
    {
        await using var h = await HarnessAsync();
        var project = await h.ProjectWithPromptsAsync();
        var (noJob, errors) = await EnqueueAsync(h, project, "x"u8.ToArray(), "data.txt");
        Assert.Null(noJob);
        Assert.Equal("Cannot tell the format of 'data.txt': name it .jsonl or .csv, or choose the format.", Assert.Single(errors));
        var missing = await EnqueueAsync(h, 4242, "x"u8.ToArray(), "data.jsonl");
        Assert.Equal(EnqueueOutcome.NotFound, missing.Outcome);
        Assert.Null(missing.JobId);
        Assert.Equal("Project 4242 does not exist.", Assert.Single(missing.Errors));
        Assert.False(Directory.Exists(ImportsFolder(h)) && Directory.GetFiles(ImportsFolder(h)).Length > 0);
        await using var db = await h.DbAsync();
        Assert.Equal(0, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task A_job_never_reads_or_deletes_a_file_outside_the_imports_folder()
    {
        await using var h = await HarnessAsync();
        var project = await h.ProjectWithPromptsAsync();
        var outside = Path.Combine(h.Folder, "elsewhere.jsonl");
        await File.WriteAllTextAsync(outside, "{\"prompt\": \"p\"}\n");
        var job = await h.Queue.EnqueueAsync(ImportJobHandler.JobKind, new ImportJobRequest { ProjectId = project, FilePath = outside, FileName = "x.jsonl" }, null);

        await h.Runner.RunNextAsync(CancellationToken.None);

        var done = (await h.Queue.GetAsync(job.Id))!;
        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Contains("not in the imports folder", done.Error);
        Assert.True(File.Exists(outside));
    }

    [Fact]
    public void The_import_handler_does_not_resume()
    {
        var handler = new ImportJobHandler(null!, new RlhfPaths("/", "/"), null!);
        Assert.Equal(("import", false), (handler.Kind, handler.CanResume));
    }
}
