namespace Rlhf.Jobs.Runner;

/// <summary>Settings under <c>Jobs</c>.</summary>
public sealed class JobRunnerOptions
{
    public const string Section = "Jobs";

    /// <summary>Host a runner inside the site (default). Off: run <c>rlhf worker</c> as its own process.</summary>
    public bool RunInSite { get; set; } = true;
    /// <summary>How long a claim lasts without a heartbeat before another runner may take the job over.</summary>
    public int LeaseSeconds { get; set; } = 30;
    /// <summary>How often an idle runner looks for work.</summary>
    public int PollMilliseconds { get; set; } = 1000;
    /// <summary>How many times a job may be started (the first run plus resumes) before it is failed.</summary>
    public int MaxAttempts { get; set; } = 3;
    /// <summary>TorchSharp threads for jobs, so the site stays responsive while training (0: cores - 1, at least 1).</summary>
    public int TorchThreads { get; set; }
}
