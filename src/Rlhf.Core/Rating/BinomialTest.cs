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
        // log P(X = i) = log C(n, i) - n log 2, summed in log space for large n; log k! for every k up to n in one
        // pass, so the test is O(n) (a fresh log n! per term made a rater with 33,000 votes take a minute).
        var logFactorial = new double[trials + 1];
        for (var k = 2; k <= trials; k++) logFactorial[k] = logFactorial[k - 1] + Math.Log(k);
        var logPmf = new double[trials + 1];
        for (var i = 0; i <= trials; i++) logPmf[i] = logFactorial[trials] - logFactorial[i] - logFactorial[trials - i] - trials * Math.Log(2);
        var observed = logPmf[successes];
        var p = 0.0;
        for (var i = 0; i <= trials; i++)
            if (logPmf[i] <= observed + 1e-7) p += Math.Exp(logPmf[i]);
        return Math.Min(1, p);
    }
}
