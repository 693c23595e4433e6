using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Rlhf.Core.Rating;
using Rlhf.Data.Exchange;
using Rlhf.Data.Projects;
using Rlhf.Jobs.Imports;
using Rlhf.Jobs.Runner;

namespace Rlhf.Web.Api;

/// <summary>
/// Data in and out: imports (queued as jobs) and exports (TRL preference JSONL, raw votes JSONL/CSV), for the REST
/// API (token) and for the site's download links (cookie). Both need the Researcher or Admin role.
/// </summary>
public static class ExchangeEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/projects/{id:int}").RequireAuthorization(ApiPolicies.Researcher).WithTags("Data");
        MapExports(group);

        group.MapPost("/imports", async (int id, HttpRequest request, ClaimsPrincipal user, ImportJobs imports, ImportSettings limits,
                CancellationToken ct, string? format, bool? skipBadLines, string? pairing, int? pairsPerPrompt, int? seed) =>
            {
                // The upload limit is the Data page's: one setting (Imports:MaxUploadBytes), instead of Kestrel's 30 MB.
                if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                    size.MaxRequestBodySize = limits.MaxUploadBytes;
                if (request.ContentLength > limits.MaxUploadBytes) return TooLarge(limits);
                try
                {
                    Stream body; string fileName;
                    if (request.HasFormContentType)
                    {
                        request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions { MultipartBodyLengthLimit = limits.MaxUploadBytes }));
                        var form = await request.ReadFormAsync(ct);
                        var file = form.Files.FirstOrDefault();
                        if (file is null) return Problem(400, "Send the file as multipart form data (field 'file') or as the raw request body.");
                        body = file.OpenReadStream();
                        fileName = file.FileName;
                    }
                    else
                    {
                        body = request.Body;
                        fileName = format is null ? "upload.jsonl" : $"upload.{format}";
                    }
                    ImportFormat? parsedFormat = null;
                    if (format is not null && (parsedFormat = ImportFormats.Parse(format)) is null) return Problem(400, $"format must be jsonl or csv, not '{format}'.");
                    PairingMode mode = PairingMode.All;
                    if (pairing is not null && !Enum.TryParse(pairing, ignoreCase: true, out mode)) return Problem(400, $"pairing must be all, adjacent or random, not '{pairing}'.");
                    var options = new ImportOptions { SkipBadLines = skipBadLines ?? false, Pairing = mode, PairsPerPrompt = pairsPerPrompt ?? 1, Seed = seed ?? 0 };
                    var queued = await imports.EnqueueAsync(id, body, fileName, options, user.Actor(), parsedFormat, ct);
                    return queued.Outcome switch
                    {
                        EnqueueOutcome.Queued => Results.Accepted($"/api/v1/jobs/{queued.JobId}", new { jobId = queued.JobId }),
                        EnqueueOutcome.NotFound => Problem(404, string.Join(" ", queued.Errors)),
                        EnqueueOutcome.TooLarge => TooLarge(limits),
                        _ => Problem(400, string.Join(" ", queued.Errors)),
                    };
                }
                // A body without Content-Length that runs past the limit: the partial upload was deleted, nothing queued.
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return TooLarge(limits); }
                catch (InvalidDataException e) when (request.HasFormContentType)
                {
                    return e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? TooLarge(limits) : Problem(400, $"The form data cannot be read: {e.Message}");
                }
            })
            .DisableAntiforgery()
            .WithSummary("Import JSONL or CSV (prompts, prompts with responses, or TRL preference data) as a job; poll /api/v1/jobs/{jobId}.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>The export downloads, shared by the API group and the site's cookie-authenticated group.</summary>
    public static void MapExports(RouteGroupBuilder group)
    {
        group.MapGet("/exports/preferences", async (int id, ClaimsPrincipal user, HttpContext http, ExportService exports, ProjectService projects, CancellationToken ct,
                string? method, bool? keepTies, double? minAgreement, bool? excludeFlagged, bool? includeGold, int? minVotes) =>
            {
                if (await projects.GetAsync(id, user.Actor(), ct) is null) return Problem(404, $"There is no project {id}.");
                var aggregation = AggregationMethod.MeanStrength;
                if (method is not null && !TryMethod(method, out aggregation)) return Problem(400, $"method must be mean or majority, not '{method}'.");
                var policy = new PreferencePolicy
                {
                    Method = aggregation, DropTies = !(keepTies ?? false), MinimumAgreement = minAgreement ?? 0,
                    ExcludeFlaggedRaters = excludeFlagged ?? false, IncludeGold = includeGold ?? false, MinimumVotes = minVotes ?? 1,
                };
                if (policy.Validate() is { Count: > 0 } errors) return Problem(400, string.Join(" ", errors));
                return await StreamAsync(http, $"project-{id}-preferences.jsonl", "application/x-ndjson", s => exports.ExportPreferencesAsync(id, policy, s, ct));
            })
            .WithSummary("TRL preference JSONL (prompt, chosen, rejected) under an aggregation policy; the same data and policy give the same bytes.");

        group.MapGet("/exports/votes", async (int id, ClaimsPrincipal user, HttpContext http, ExportService exports, ProjectService projects, CancellationToken ct, string? format) =>
            {
                if (await projects.GetAsync(id, user.Actor(), ct) is null) return Problem(404, $"There is no project {id}.");
                return await TableAsync(http, $"project-{id}-votes", format, (f, s) => exports.ExportVotesAsync(id, f, s, ct));
            })
            .WithSummary("Every vote (void ones flagged) with a pseudonymous rater id, the order shown, strength, flags, rationale, timestamps and sources.");

        group.MapGet("/exports/skips", async (int id, ClaimsPrincipal user, HttpContext http, ExportService exports, ProjectService projects, CancellationToken ct, string? format) =>
            {
                if (await projects.GetAsync(id, user.Actor(), ct) is null) return Problem(404, $"There is no project {id}.");
                return await TableAsync(http, $"project-{id}-skips", format, (f, s) => exports.ExportSkipsAsync(id, f, s, ct));
            })
            .WithSummary("Every skip with its kind (can't judge, unsafe, personal data, not English, spam or broken, other), the rater's reason, a pseudonymous rater id, timestamps, the prompt and responses.");

        group.MapGet("/exports/sft", async (int id, ClaimsPrincipal user, HttpContext http, SftExport exports, CancellationToken ct, string? format) =>
            {
                if (SftFormat(format) is not { } sftFormat) return Problem(400, $"format must be prompt-completion or messages, not '{format}'.");
                try
                {
                    return await StreamAsync(http, $"project-{id}-sft-{(sftFormat == SftExportFormat.Messages ? "messages" : "prompt-completion")}.jsonl", "application/x-ndjson",
                        s => exports.WriteAsync(id, sftFormat, s, user.Actor(), ct));
                }
                catch (KeyNotFoundException e) { return Problem(404, e.Message); }
            })
            .WithSummary("A demonstration project's demonstrations that count (accepted ones when it reviews them) as TRL SFT JSONL: " +
                "{\"prompt\",\"completion\"} (format=prompt-completion, the default) or {\"messages\"} (format=messages).");
    }

    private static SftExportFormat? SftFormat(string? format) => format?.ToLowerInvariant() switch
    {
        null or "prompt-completion" => SftExportFormat.PromptCompletion,
        "messages" => SftExportFormat.Messages,
        _ => null,
    };

    private static bool TryMethod(string method, out AggregationMethod value)
    {
        value = method.ToLowerInvariant() switch { "mean" or "meanstrength" => AggregationMethod.MeanStrength, "majority" => AggregationMethod.Majority, _ => (AggregationMethod)(-1) };
        return Enum.IsDefined(value);
    }

    /// <summary>Writes the export to a buffer first, so a failure is a clean problem response rather than a cut file.</summary>
    /// <summary>A table export (votes, skips) as JSONL (the default) or CSV by the <paramref name="format"/> query value.</summary>
    private static async Task<IResult> TableAsync<T>(HttpContext http, string baseName, string? format, Func<VotesFormat, Stream, Task<T>> write)
    {
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        if (format is not null && !csv && !string.Equals(format, "jsonl", StringComparison.OrdinalIgnoreCase)) return Problem(400, $"format must be jsonl or csv, not '{format}'.");
        return await StreamAsync(http, $"{baseName}.{(csv ? "csv" : "jsonl")}", csv ? "text/csv" : "application/x-ndjson",
            s => write(csv ? VotesFormat.Csv : VotesFormat.Jsonl, s));
    }

    private static async Task<IResult> StreamAsync<T>(HttpContext http, string fileName, string contentType, Func<Stream, Task<T>> write)
    {
        var buffer = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
        await write(buffer);
        buffer.Position = 0;
        return Results.File(buffer, contentType, fileName);
    }

    private static IResult Problem(int status, string detail) => Results.Problem(statusCode: status, detail: detail);

    private static IResult TooLarge(ImportSettings limits) => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Upload too large", detail: ImportJobs.TooLargeMessage(limits));
}
