using System.Collections.Concurrent;

namespace Rlhf.Bench.Load;

/// <summary>What the simulated raters saw: latencies inside the measured window, errors, and every acknowledged vote.</summary>
internal sealed class LoadOutcome(int sites = 1)
{
    /// <summary>Acknowledged votes per site process (rater i rates on site i mod N), warm-up included.</summary>
    public int[] AcknowledgedBySite { get; } = new int[sites];
    public LatencySamples Next { get; } = new();
    public LatencySamples Vote { get; } = new();
    public LatencySamples Pair { get; } = new();
    /// <summary>"next 500", "vote 400", "vote HttpRequestException"... to how often.</summary>
    public ConcurrentDictionary<string, int> Errors { get; } = new();
    /// <summary>Every vote answered 200 with a vote id, warm-up included: assignment id to vote id.</summary>
    public ConcurrentDictionary<long, long> Acknowledged { get; } = new();
    /// <summary>Votes acknowledged inside the measured window.</summary>
    public int MeasuredVotes { get; set; }
    public double MeasuredSeconds { get; set; }
    /// <summary>Raters who stopped because the server had nothing left for them (204).</summary>
    public int RatersOutOfWork { get; set; }

    public void CountError(string key) => Errors.AddOrUpdate(key, 1, (_, n) => n + 1);
}
