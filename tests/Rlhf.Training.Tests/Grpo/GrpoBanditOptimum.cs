namespace Rlhf.Training.Tests.Grpo;

/// <summary>
/// The stationary point of the expected GRPO update on a one-token bandit (derivation in <see cref="GrpoBanditTests"/>):
/// the policy pi with, for every token a,
/// <code>
/// pi(a) (beta - Abar(a)) = beta pi_ref(a),     Abar(a) = E[A_1 | a_1 = a], a_2..a_G ~ pi
/// </code>
/// Abar depends on a only through its reward r(a), so tokens are grouped into reward levels k (mass q_k under pi,
/// R_k under pi_ref); the levels solve q_k (beta - Abar_k(q)) = beta R_k and within a level pi is proportional to
/// pi_ref. Abar_k(q) is computed exactly: a sum over every way the other G - 1 completions fall into the levels
/// (multinomial), each group's advantage computed as <see cref="Rlhf.Training.Grpo.GrpoAdvantages"/> does.
/// The levels are found by following the expected update itself (gradient flow on the level logits of a softmax
/// policy, whose fixed points are exactly the condition above) until it stops moving.
/// </summary>
internal static class GrpoBanditOptimum
{
    public static double[] Solve(double[] piRef, double[] rewards, int groupSize, double beta, bool scaleRewards)
    {
        if (!(beta > 0)) throw new ArgumentException("with beta 0 the optimum is the best arm alone; nothing to solve", nameof(beta));
        var levels = rewards.Distinct().OrderBy(r => r).ToArray();
        var K = levels.Length;
        var levelOf = rewards.Select(r => Array.IndexOf(levels, r)).ToArray();
        var refMass = new double[K];
        for (var a = 0; a < piRef.Length; a++) refMass[levelOf[a]] += piRef[a];

        // Every composition of the other G - 1 completions into K levels, its log multinomial coefficient and, for a
        // first completion at each level k, the advantage it gets in that group.
        var compositions = new List<int[]>();
        Compose(new int[K], 0, groupSize - 1, compositions);
        var logCoef = compositions.Select(c => LogFactorial(groupSize - 1) - c.Sum(LogFactorial)).ToArray();
        var counts = compositions.SelectMany(c => c).ToArray();                                         // [C x K]
        var advantage = compositions.SelectMany(c => Enumerable.Range(0, K).Select(k => GroupAdvantage(levels, c, k, groupSize, scaleRewards))).ToArray();   // [C x K]

        var logits = refMass.Select(m => Math.Log(m)).ToArray();                     // start at pi_ref
        var q = Softmax(logits);
        for (var iteration = 0; iteration < 5_000; iteration++)
        {
            var abar = ExpectedAdvantages(q, counts, logCoef, advantage, K);
            var drift = 0.0;
            for (var k = 0; k < K; k++)
            {
                var g = q[k] * abar[k] - beta * (q[k] - refMass[k]);            // d(expected objective)/d logit_k
                logits[k] += 2.0 * g;
                drift = Math.Max(drift, Math.Abs(g));
            }
            q = Softmax(logits);
            if (drift < 1e-9) break;
        }
        return piRef.Select((p, a) => refMass[levelOf[a]] > 0 ? q[levelOf[a]] * p / refMass[levelOf[a]] : 0).ToArray();
    }

    private static double[] ExpectedAdvantages(double[] q, int[] counts, double[] logCoef, double[] advantage, int K)
    {
        var logQ = q.Select(x => Math.Log(Math.Max(x, 1e-300))).ToArray();
        var abar = new double[K];
        for (var c = 0; c < logCoef.Length; c++)
        {
            var logP = logCoef[c];
            for (var j = 0; j < K; j++) logP += counts[c * K + j] * logQ[j];
            var p = Math.Exp(logP);
            for (var k = 0; k < K; k++) abar[k] += p * advantage[c * K + k];
        }
        return abar;
    }

    private static double GroupAdvantage(double[] levels, int[] others, int first, int G, bool scale)
    {
        var values = new List<double> { levels[first] };
        for (var j = 0; j < others.Length; j++) values.AddRange(Enumerable.Repeat(levels[j], others[j]));
        var mean = values.Average();
        var std = Math.Sqrt(values.Sum(x => (x - mean) * (x - mean)) / (G - 1));
        if (std < 1e-12) return 0;
        return scale ? (levels[first] - mean) / (std + 1e-4) : levels[first] - mean;
    }

    private static void Compose(int[] current, int index, int left, List<int[]> into)
    {
        if (index == current.Length - 1)
        {
            current[index] = left;
            into.Add((int[])current.Clone());
            return;
        }
        for (var n = 0; n <= left; n++)
        {
            current[index] = n;
            Compose(current, index + 1, left - n, into);
        }
    }

    private static double LogFactorial(int n) => Enumerable.Range(1, n).Sum(i => Math.Log(i));

    private static double[] Softmax(double[] logits)
    {
        var max = logits.Max();
        var e = logits.Select(x => Math.Exp(x - max)).ToArray();
        var z = e.Sum();
        return e.Select(x => x / z).ToArray();
    }
}
