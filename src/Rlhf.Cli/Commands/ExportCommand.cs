using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rlhf.Data.Exchange;

namespace Rlhf.Cli.Commands;

/// <summary>
/// `rlhf export --project ID --kind preferences|votes|skips --out FILE [--format jsonl|csv] [--method mean|majority]
/// [--keep-ties] [--min-agreement X] [--min-votes N] [--exclude-flagged] [--include-gold]`: writes TRL preference JSONL
/// or the raw votes or skips (JSONL or CSV) to FILE (through a temporary file, so a failed export leaves no partial file) and
/// prints the counts as one JSON line.
/// </summary>
internal static class ExportCommand
{
    /// <param name="host">Builds the host (tests give their own database); default <see cref="CliHost.Create"/>.</param>
    public static Command Create(Func<IHost>? host = null)
    {
        var project = new Option<int>("--project") { Description = "The project's id.", Required = true };
        var kind = new Option<string>("--kind") { Description = "preferences (TRL prompt/chosen/rejected), votes (every vote) or skips (every skip with its reason).", Required = true };
        kind.AcceptOnlyFromAmong("preferences", "votes", "skips");
        var outFile = new Option<FileInfo>("--out") { Description = "The file to write (replaced if it exists).", Required = true };
        var format = new Option<string?>("--format") { Description = "jsonl or csv (votes and skips; default: from --out's extension, else jsonl)." };
        format.AcceptOnlyFromAmong("jsonl", "csv");
        var policyOptions = new PreferencePolicyOptions();

        var command = new Command("export", "Export a project's preferences (TRL JSONL), its raw votes or its skips (JSONL or CSV).")
        {
            project, kind, outFile, format,
        };
        policyOptions.AddTo(command);
        command.SetAction((parseResult, ct) => CliErrors.RunAsync(parseResult, async output =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var target = parseResult.GetValue(outFile)!;
            var what = parseResult.GetValue(kind)!;
            var isVotes = what != "preferences";
            var csv = parseResult.GetValue(format) is { } f ? f == "csv" : target.Extension.Equals(".csv", StringComparison.OrdinalIgnoreCase);
            if (csv && !isVotes)
            {
                await error.WriteLineAsync("rlhf: preferences are exported as JSONL only (TRL's format); --format csv is for --kind votes or skips.");
                return 1;
            }
            var policy = policyOptions.Read(parseResult);
            if (!isVotes && policy.Validate() is { Count: > 0 } problems)
            {
                foreach (var p in problems) await error.WriteLineAsync($"rlhf: {p}");
                return 1;
            }
            if (target.Directory is { Exists: false } folder)
            {
                await error.WriteLineAsync($"rlhf: the folder {folder.FullName} does not exist.");
                return 1;
            }

            return await CliHost.WithDatabaseAsync(async services =>
            {
                var exports = services.GetService<ExportService>() ?? ActivatorUtilities.CreateInstance<ExportService>(services);
                var temporary = target.FullName + $".{Guid.NewGuid():N}.tmp";
                try
                {
                    object summary;
                    await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
                    {
                        if (what == "skips")
                        {
                            var skips = await exports.ExportSkipsAsync(parseResult.GetValue(project), csv ? VotesFormat.Csv : VotesFormat.Jsonl, stream, ct);
                            summary = new { kind = "skips", format = csv ? "csv" : "jsonl", file = target.FullName, skips };
                        }
                        else if (isVotes)
                        {
                            var votes = await exports.ExportVotesAsync(parseResult.GetValue(project), csv ? VotesFormat.Csv : VotesFormat.Jsonl, stream, ct);
                            summary = new { kind = "votes", format = csv ? "csv" : "jsonl", file = target.FullName, votes = votes.Votes, voided = votes.Voided };
                        }
                        else
                        {
                            var s = await exports.ExportPreferencesAsync(parseResult.GetValue(project), policy, stream, ct);
                            summary = new
                            {
                                kind = "preferences", format = "jsonl", file = target.FullName, comparisons = s.Comparisons, written = s.Written,
                                dropped_gold = s.DroppedGold, dropped_too_few_votes = s.DroppedTooFewVotes, dropped_tie = s.DroppedTie,
                                dropped_agreement = s.DroppedAgreement, ties_written = s.TiesWritten,
                                flagged_raters_excluded = s.FlaggedRatersExcluded, votes_counted = s.VotesCounted,
                            };
                        }
                    }
                    File.Move(temporary, target.FullName, overwrite: true);
                    await output.WriteLineAsync(JsonSerializer.Serialize(summary));
                    return 0;
                }
                catch (KeyNotFoundException ex)
                {
                    await error.WriteLineAsync($"rlhf: {ex.Message}");
                    return 1;
                }
                finally
                {
                    if (File.Exists(temporary)) File.Delete(temporary);
                }
            }, ct, host);
        }));
        return command;
    }
}
