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
    /// <summary>True when exactly one of --data and --project is given; else the one line on <paramref name="error"/> (the caller exits 2).</summary>
    public static async Task<bool> ExactlyOneAsync(FileInfo? file, int? projectId, TextWriter error)
    {
        if (file is null != projectId is null) return true;
        await error.WriteLineAsync("rlhf: give exactly one of --data FILE.jsonl or --project ID");
        return false;
    }

    /// <summary>
    /// True when the options go together: the pair-selection options only with --project, and no problem in the trainer's
    /// settings (<paramref name="configProblems"/>) or, with a project, the policy. Otherwise each problem is one line on
    /// <paramref name="error"/> (the caller exits 2).
    /// </summary>
    public static async Task<bool> OptionsFitAsync(System.CommandLine.ParseResult parseResult, FileInfo? file, int? projectId, PreferencePolicyOptions policyOptions,
        PreferencePolicy policy, IEnumerable<string> configProblems, TextWriter error)
    {
        if (file is not null && policyOptions.Given(parseResult) is { Count: > 0 } given)
        {
            await error.WriteLineAsync($"rlhf: {string.Join(", ", given)} choose how a project's votes become pairs; they go with --project, not --data");
            return false;
        }
        var problems = configProblems.Concat(projectId is null ? [] : policy.Validate()).ToList();
        foreach (var p in problems) await error.WriteLineAsync($"rlhf: {p}");
        return problems.Count == 0;
    }

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
