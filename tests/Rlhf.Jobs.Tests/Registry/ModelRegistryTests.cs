using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Registry;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Registry;

namespace Rlhf.Jobs.Tests.Registry;

public class ModelRegistryTests
{
    private static Task<ModelImportResult> ImportAsync(JobsHarness h, string folder, string name, ModelKind kind = ModelKind.Base) =>
        h.InScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ImportAsync(folder, name, kind, null, "import", null, "", null));

    [Fact]
    public async Task Importing_a_Hugging_Face_folder_copies_it_and_records_its_shape()
    {
        await using var h = await JobsHarness.CreateAsync();
        var result = await ImportAsync(h, FixturePaths.Of("gpt2-tiny-lm"), "tiny");
        Assert.True(result.Succeeded, result.Error);
        var model = result.Model!;

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(FixturePaths.Of("gpt2-tiny-lm"), "config.json")))!;
        Assert.Equal((int)config["n_layer"]!, model.NLayer);
        Assert.Equal((int)config["n_embd"]!, model.NEmbd);
        Assert.True(model.ParameterCount > 0);

        var folder = await h.InScopeAsync(sp => Task.FromResult(sp.GetRequiredService<ModelRegistry>().FolderOf(model)));
        Assert.StartsWith(h.Services.GetRequiredService<RlhfPaths>().ModelsFolder, folder);
        Assert.Equal(File.ReadAllBytes(Path.Combine(FixturePaths.Of("gpt2-tiny-lm"), "model.safetensors")),
                     File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
        Assert.Equal(model.SizeBytes, new DirectoryInfo(folder).EnumerateFiles().Sum(f => f.Length));

        var reward = await ImportAsync(h, FixturePaths.Of("gpt2-tiny-reward"), "tiny-reward", ModelKind.Reward);
        Assert.True(reward.Succeeded, reward.Error);
        Assert.Equal(model.ParameterCount + model.NEmbd, reward.Model!.ParameterCount); // + score [1, n_embd]
    }

    [Fact]
    public async Task A_bad_checkpoint_is_refused_with_the_file_and_key_and_nothing_is_stored()
    {
        await using var h = await JobsHarness.CreateAsync();
        var broken = Path.Combine(h.Folder, "broken");
        Directory.CreateDirectory(broken);
        File.Copy(Path.Combine(FixturePaths.Of("gpt2-tiny-lm"), "model.safetensors"), Path.Combine(broken, "model.safetensors"));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(FixturePaths.Of("gpt2-tiny-lm"), "config.json")))!;
        config["n_embd"] = (int)config["n_embd"]! * 2; // every tensor now has the wrong shape
        File.WriteAllText(Path.Combine(broken, "config.json"), config.ToJsonString());

        var result = await ImportAsync(h, broken, "broken");

        Assert.False(result.Succeeded);
        Assert.Contains("model.safetensors", result.Error);
        Assert.Contains("shape", result.Error);
        await using var db = await h.DbAsync();
        Assert.Empty(await db.Models.ToListAsync());
        var modelsFolder = h.Services.GetRequiredService<RlhfPaths>().ModelsFolder;
        Assert.True(!Directory.Exists(modelsFolder) || !Directory.EnumerateFileSystemEntries(modelsFolder).Any());
    }

    [Fact]
    public async Task Missing_folders_and_duplicate_names_are_refused()
    {
        await using var h = await JobsHarness.CreateAsync();
        var missing = await ImportAsync(h, Path.Combine(h.Folder, "nowhere"), "x");
        Assert.False(missing.Succeeded);
        Assert.Contains("nowhere", missing.Error);

        Assert.True((await ImportAsync(h, FixturePaths.Of("gpt2-tiny-lm"), "same")).Succeeded);
        var duplicate = await ImportAsync(h, FixturePaths.Of("gpt2-tiny-lm"), "same");
        Assert.False(duplicate.Succeeded);
        Assert.Contains("already exists", duplicate.Error);
    }
}
