using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rlhf.Data.Audit;
using Rlhf.Data.Exchange;

namespace Rlhf.Cli.Commands;

/// <summary>
/// `rlhf import --project ID --file FILE [--format jsonl|csv] [--skip-bad-lines] [--pairing all|adjacent|random]
/// [--pairs-per-prompt N] [--seed S]`: imports in this process (one transaction) and prints the report as one JSON
/// line. When nothing was imported it exits 1 with each error on its own line ("rlhf: line N: ...") on stderr.
/// </summary>
internal static class ImportCommand
{
    /// <param name="host">Builds the host (tests give their own database); default <see cref="CliHost.Create"/>.</param>
    public static Command Create(Func<IHost>? host = null)
    {
        var project = new Option<int>("--project") { Description = "The project's id.", Required = true };
        var file = new Option<FileInfo>("--file") { Description = "The JSONL or CSV file to import.", Required = true };
        var format = new Option<string?>("--format") { Description = "jsonl or csv (default: from the file's extension)." };
        format.AcceptOnlyFromAmong("jsonl", "csv");
        var skip = new Option<bool>("--skip-bad-lines") { Description = "Import the good lines and list the bad ones (default: any bad line imports nothing)." };
        var pairing = new Option<string>("--pairing")
        {
            Description = "How a prompt's candidate responses are paired: all pairs, adjacent pairs, or random pairs.",
            DefaultValueFactory = _ => "all",
        };
        pairing.AcceptOnlyFromAmong("all", "adjacent", "random");
        var pairsPerPrompt = new Option<int>("--pairs-per-prompt") { Description = "With --pairing random: pairs per prompt.", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seeds random pairing and which side a preference's chosen response is stored on.", DefaultValueFactory = _ => 0 };

        var command = new Command("import", "Import prompts, candidate responses or TRL preference data (JSONL or CSV) into a project.")
        {
            project, file, format, skip, pairing, pairsPerPrompt, seed,
        };
        command.SetAction((parseResult, ct) => CliErrors.RunAsync(parseResult, async output =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var input = parseResult.GetValue(file)!;
            if (!input.Exists)
            {
                await error.WriteLineAsync($"rlhf: file {input.FullName} does not exist.");
                return 1;
            }
            var chosenFormat = parseResult.GetValue(format) is { } f ? ImportFormats.Parse(f) : ImportFormats.FromFileName(input.Name);
            if (chosenFormat is null)
            {
                await error.WriteLineAsync($"rlhf: cannot tell the format of {input.Name} from its extension; give --format jsonl or --format csv.");
                return 1;
            }
            var options = new ImportOptions
            {
                SkipBadLines = parseResult.GetValue(skip),
                Pairing = Enum.Parse<PairingMode>(parseResult.GetValue(pairing)!, ignoreCase: true),
                PairsPerPrompt = parseResult.GetValue(pairsPerPrompt),
                Seed = parseResult.GetValue(seed),
            };

            return await CliHost.WithDatabaseAsync(async services =>
            {
                var imports = services.GetService<ImportService>() ?? ActivatorUtilities.CreateInstance<ImportService>(services);
                ImportReport report;
                await using (var stream = new FileStream(input.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan))
                    report = await imports.ImportAsync(parseResult.GetValue(project), stream, chosenFormat.Value, options, new AuditActor(null, "cli"), null, ct);

                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    committed = report.Committed,
                    format = report.Format.ToString().ToLowerInvariant(),
                    records = report.Records,
                    imported_records = report.ImportedRecords,
                    bad_records = report.BadRecords,
                    identical_preferences_skipped = report.IdenticalPreferencesSkipped,
                    prompts = report.Prompts,
                    responses = report.Responses,
                    duplicate_responses_skipped = report.DuplicateResponsesSkipped,
                    comparisons = report.Comparisons,
                    votes = report.Votes,
                    bytes_read = report.BytesRead,
                    error_count = report.ErrorCount,
                    errors = report.Errors.Select(e => e.ToString()),
                    warnings = report.Warnings.Select(w => w.ToString()),
                    seconds = Math.Round(report.Elapsed.TotalSeconds, 3),
                }));
                if (report.Committed) return 0;
                foreach (var e in report.Errors) await error.WriteLineAsync($"rlhf: {e}");
                if (report.ErrorCount > report.Errors.Count) await error.WriteLineAsync($"rlhf: ... and {report.ErrorCount - report.Errors.Count} more errors.");
                return 1;
            }, ct, host);
        }));
        return command;
    }
}
