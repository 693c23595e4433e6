using Rlhf.Jobs.Runner;

namespace Rlhf.Jobs.Tests;

/// <summary>Records that it ran, reports progress and a metric; fails or waits when its payload says so.</summary>
public sealed class ProbeHandler : IJobHandler
{
    public const string JobKind = "probe";
    public string Kind => JobKind;
    public bool CanResume => true;

    public sealed record Payload(string Mode);

    public async Task RunAsync(JobContext context, CancellationToken ct)
    {
        var payload = context.Payload<Payload>();
        await context.ReportAsync(0.5, "half way", ct);
        await context.MetricsAsync(1, new Dictionary<string, double> { ["train/loss"] = 0.69 }, ct);
        switch (payload.Mode)
        {
            case "fail": throw new JobFailedException("the probe was told to fail");
            case "crash": throw new InvalidOperationException("boom");
            case "wait": await Task.Delay(TimeSpan.FromMinutes(5), ct); break;
        }
        await context.LogAsync($"ran (resume: {context.IsResume})", ct: ct);
    }
}

/// <summary>A kind of job that cannot resume after its runner stops.</summary>
public sealed class OneShotHandler : IJobHandler
{
    public const string JobKind = "one-shot";
    public string Kind => JobKind;
    public bool CanResume => false;
    public Task RunAsync(JobContext context, CancellationToken ct) => Task.CompletedTask;
}
