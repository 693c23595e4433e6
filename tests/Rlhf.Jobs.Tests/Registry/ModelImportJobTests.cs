using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Core.Registry;
using Rlhf.Data.Audit;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Registry;

namespace Rlhf.Jobs.Tests.Registry;

/// <summary>The site imports models only from the import folder, as a job, and a hostile checkpoint stores nothing.</summary>
public class ModelImportJobTests
{
    private static string ImportRoot(JobsHarness h) => h.Services.GetRequiredService<ModelImportRoot>().Folder;

    /// <summary>Copies a fixture into the import folder under <paramref name="name"/>.</summary>
    private static string Place(JobsHarness h, string fixture, string name)
    {
        var target = Path.Combine(ImportRoot(h), name);
        Directory.CreateDirectory(target);
        foreach (var file in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(FixturePaths.Of(fixture), file), Path.Combine(target, file));
        return target;
    }

    private static Task<Rlhf.Jobs.Runner.EnqueueResult> EnqueueAsync(JobsHarness h, string folder, string name) =>
        h.InScopeAsync(sp => sp.GetRequiredService<ModelImports>().EnqueueAsync(folder, name, ModelKind.Base, new AuditActor(null, "test")));

    private static async Task<Job> RunAsync(JobsHarness h, long jobId)
    {
        Assert.True(await h.Runner.RunNextAsync(CancellationToken.None));
        await using var db = await h.DbAsync();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId);
    }

    [Fact]
    public async Task The_import_folder_defaults_to_models_import_under_the_content_root()
    {
        await using var h = await JobsHarness.CreateAsync();
        Assert.Equal(Path.Combine(h.Services.GetRequiredService<RlhfPaths>().ContentRoot, "models", "import"), ImportRoot(h));
    }

    [Fact]
    public async Task A_folder_in_the_import_folder_is_checked_and_registered_by_a_job()
    {
        await using var h = await JobsHarness.CreateAsync();
        Place(h, "gpt2-tiny-lm", "tiny");

        var queued = await EnqueueAsync(h, "tiny", "tiny-model");
        await using (var db = await h.DbAsync()) Assert.Empty(await db.Models.ToListAsync());   // nothing loaded in the caller
        var job = await RunAsync(h, queued.JobId!.Value);

        Assert.Equal(JobStatus.Succeeded, job.Status);
        await using var check = await h.DbAsync();
        var model = await check.Models.SingleAsync();
        Assert.Equal(("tiny-model", ModelKind.Base, (long?)job.Id, 16), (model.Name, model.Kind, model.ProducedByJobId, model.NEmbd));
    }

    [Fact]
    public async Task Folders_outside_the_import_folder_get_the_same_answer_as_folders_that_do_not_exist()
    {
        await using var h = await JobsHarness.CreateAsync();
        Place(h, "gpt2-tiny-lm", "tiny");
        var outside = Path.Combine(h.Folder, "outside");   // exists, holds a valid checkpoint, but is not in the import folder
        Directory.CreateDirectory(outside);
        foreach (var file in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(FixturePaths.Of("gpt2-tiny-lm"), file), Path.Combine(outside, file));
        Directory.CreateSymbolicLink(Path.Combine(ImportRoot(h), "link"), outside);

        foreach (var folder in new[] { "nowhere", outside, "../../outside", "/etc", "..", "", "link" })
        {
            var refused = await EnqueueAsync(h, folder, "m");
            Assert.Null(refused.JobId);
            Assert.Equal($"There is no model folder '{folder}' in the import folder {ImportRoot(h)} (setting Models:ImportRoot); put the checkpoint folder there and give its name.",
                Assert.Single(refused.Errors));
        }
        await using var db = await h.DbAsync();
        Assert.Empty(await db.Jobs.ToListAsync());
    }

    [Fact]
    public async Task A_job_whose_payload_names_a_folder_outside_the_import_folder_fails_without_reading_it()
    {
        await using var h = await JobsHarness.CreateAsync();
        var job = await h.Queue.EnqueueAsync(ModelImportJobHandler.JobKind,
            new ModelImportRequest { Folder = FixturePaths.Of("gpt2-tiny-lm"), Name = "sneaky" }, null);

        var done = await RunAsync(h, job.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.StartsWith($"There is no model folder '{FixturePaths.Of("gpt2-tiny-lm")}' in the import folder", done.Error);
        await using var db = await h.DbAsync();
        Assert.Empty(await db.Models.ToListAsync());
    }

    [Fact]
    public async Task A_hostile_header_fails_the_job_with_its_reason_and_stores_nothing()
    {
        await using var h = await JobsHarness.CreateAsync();
        var folder = Place(h, "gpt2-tiny-lm", "hostile");
        // 40 entries over the same 64 KiB: 40 times the file's data if it were believed.
        var entries = string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"t{i:00}\":{{\"dtype\":\"F32\",\"shape\":[16384],\"data_offsets\":[0,65536]}}"));
        var header = Encoding.UTF8.GetBytes("{" + entries + "}");
        var weights = Path.Combine(folder, "model.safetensors");
        File.WriteAllBytes(weights, [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. new byte[65536]]);

        var queued = await EnqueueAsync(h, "hostile", "hostile");
        var job = await RunAsync(h, queued.JobId!.Value);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal($"Nothing imported: {weights}: t01 has data_offsets [0, 65536] overlapping t00 [0, 65536]", job.Error);
        await using var db = await h.DbAsync();
        Assert.Empty(await db.Models.ToListAsync());
        // The harness's data folder is its content root, so the registry's models/ holds the import folder itself.
        var modelsFolder = h.Services.GetRequiredService<RlhfPaths>().ModelsFolder;
        Assert.Equal([ImportRoot(h)], Directory.EnumerateFileSystemEntries(modelsFolder));
    }
}
