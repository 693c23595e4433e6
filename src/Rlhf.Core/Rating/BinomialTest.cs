namespace Rlhf.Core.Rating;

/// <summary>Exact binomial test against p = 0.5 (used for position bias: does a rater favour one side?).</summary>
public static class BinomialTest
{
    /// <summary>
    /// Two-sided p-value of <paramref name="successes"/> out of <paramref name="trials"/> under p = 1/2: the summed
    /// probability of every outcome at most as likely as the observed one (R's binom.test). 1 when trials is 0.
    /// </summary>
    public static double TwoSidedP(int successes, int trials)
    {
        if (trials < 0 || successes < 0 || successes > trials) throw new ArgumentOutOfRangeException(nameof(successes));
        if (trials == 0) return 1;
        // log P(X = i) = log C(n, i) - n log 2, summed in log space for large n.
        var logPmf = new double[trials + 1];
        for (var i = 0; i <= trials; i++) logPmf[i] = LogChoose(trials, i) - trials * Math.Log(2);
        var observed = logPmf[successes];
        var p = 0.0;
        for (var i = 0; i <= trials; i++)
            if (logPmf[i] <= observed + 1e-7) p += Math.Exp(logPmf[i]);
        return Math.Min(1, p);
    }

    private static double LogChoose(int n, int k) => LogFactorial(n) - LogFactorial(k) - LogFactorial(n - k);

    private static double LogFactorial(int n)
    {
        var s = 0.0;
        for (var i = 2; i <= n; i++) s += Math.Log(i);
        return s;
    }
}
