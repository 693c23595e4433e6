using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Rating;
using Rlhf.Data;
using Rlhf.Data.Database;
using Rlhf.Jobs.Training;
using Rlhf.Training.Reward;

namespace Rlhf.Cli.Commands;

/// <summary>
/// Where `train-reward` and `dpo` get their preference pairs: a TRL file (--data) or a project's votes (--project, from
/// the configured database, selected as `rlhf export` selects them). Each pair comes with where it came from
/// ("line 3", "prompt 12") for messages about single pairs. Problems are one line on the error writer, and null.
/// </summary>
internal static class PreferenceSource
{
    public static async Task<(List<PreferencePair> Pairs, Func<int, string> Where)?> LoadAsync(FileInfo? file, int? projectId, PreferencePolicy policy,
        TextWriter error, CancellationToken ct)
    {
        try
        {
            if (file is not null)
            {
                var (pairs, lines) = await PreferenceData.FromTrlFileWithLinesAsync(file.FullName, ct);
                return (pairs, i => $"line {lines[i]}");
            }
            using var host = CliHost.Create();
            await using var scope = host.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(ct);
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync(ct);
            if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct)) { await error.WriteLineAsync($"rlhf: project {projectId} does not exist"); return null; }
            var fromProject = await PreferenceData.FromProjectAsync(db, projectId!.Value, policy, ct);
            return (fromProject, i => $"prompt {fromProject[i].Group}");
        }
        catch (FormatException ex) { await error.WriteLineAsync($"rlhf: {file?.Name}: {ex.Message}"); return null; }
        catch (IOException ex) { await error.WriteLineAsync($"rlhf: {ex.Message}"); return null; }
    }
}
