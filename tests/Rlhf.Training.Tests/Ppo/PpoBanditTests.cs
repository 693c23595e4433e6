using Rlhf.Training.Ppo;
using Xunit.Abstractions;

namespace Rlhf.Training.Tests.Ppo;

/// <summary>
/// PPO on a one-token bandit (<see cref="PpoBandit"/>), where the answer is known in closed form. With the per-token
/// reward r(a) - beta * k1(a) the stationary point of the policy gradient is the KL-regularised optimum
/// pi*(a) = pi_ref(a) exp(r(a) / beta) / Z, where pi_ref is the reference at the sampling temperature (log-probs are
/// those of logits / T for both). Here TV(pi_ref, pi*) = 0.55 and KL(pi* || pi_ref) = 0.87 nats; a flipped KL sign, a
/// KL on the wrong side or a temperature error (exponent r / (beta T)) fits another policy at a TV of 0.1 to 0.5, while
/// the converged policy's sampling noise is about 0.01: the bounds below hold on any CPU and thread count.
/// </summary>
public class PpoBanditTests(ITestOutputHelper output)
{
    private const double Beta = 0.1;
    private const double Temperature = 0.7;

    private sealed record Outcome(double[] Pi, double[] PiRef, double[] Optimum, List<PpoMetrics> Metrics);

    private Outcome Train(string estimator)
    {
        TorchThreads.EnsureConfigured();
        using var folder = new TempFolder();
        var reference = PpoBandit.WriteReferencePolicy(folder.Sub("ref"));
        var config = new PpoConfig
        {
            Steps = 30, BatchSize = 64, MiniBatches = 2, PpoEpochs = 4, LearningRate = 1e-2, ResponseLength = 1,
            StopTokenId = null, MissingEosPenalty = null, KlCoef = Beta, KlEstimator = estimator, Temperature = Temperature,
            MaxPromptLength = 16, Seed = 5, SampleEvery = 1000, RewardNormalization = PpoConfig.NoNormalization,
        };
        var metrics = new List<PpoMetrics>();
        new PpoTrainer(config).Train(reference, FixturePaths.Reward, PpoBandit.Prompts, folder.Sub("out"), null,
            metrics.Add, null, CancellationToken.None, new PpoBandit.Scorer());

        var piRef = PpoBandit.NextTokenDistribution(reference, PpoBandit.Prompts[0], Temperature);
        var pi = PpoBandit.NextTokenDistribution(folder.Sub("out"), PpoBandit.Prompts[0], Temperature);
        var r = PpoBandit.Rewards(piRef.Length);
        var tilted = piRef.Select((p, a) => p * Math.Exp(r[a] / Beta)).ToArray();
        var z = tilted.Sum();
        var optimum = tilted.Select(x => x / z).ToArray();
        output.WriteLine($"{estimator}: TV(pi, pi*) {PpoBandit.TotalVariation(pi, optimum):F4}, TV(pi_ref, pi*) {PpoBandit.TotalVariation(piRef, optimum):F4}; " +
                         $"KL(pi*||ref) {PpoBandit.Kl(optimum, piRef):F4}, KL(pi||ref) {PpoBandit.Kl(pi, piRef):F4}");
        for (var i = 0; i < PpoBandit.ArmCount; i++)
        {
            var a = PpoBandit.Arms[i];
            output.WriteLine($"arm {a}: r {r[a]:F2} ref {piRef[a]:F4} pi* {optimum[a]:F4} pi {pi[a]:F4}");
        }
        foreach (var m in metrics)
            output.WriteLine($"{m.Step,3} score {m.Values["objective/scores"]:F3} kl {m.Values["objective/kl"]:F3} clipfrac {m.Values["policy/clipfrac_avg"]:F3}");
        return new Outcome(pi, piRef, optimum, metrics);
    }

    /// <summary>
    /// The mean of objective/kl over the last 10 updates and its sampling band: 4 standard errors of that mean (each
    /// update's value is an average over 64 samples, about 0.15 nats apart from update to update).
    /// </summary>
    private static (double Mean, double Band) LateKl(List<PpoMetrics> metrics)
    {
        var late = metrics.TakeLast(10).Select(m => m.Values["objective/kl"]).ToArray();
        var mean = late.Average();
        var sd = Math.Sqrt(late.Sum(x => (x - mean) * (x - mean)) / (late.Length - 1));
        return (mean, 4 * sd / Math.Sqrt(late.Length));
    }

    /// <summary>
    /// k1: TV(pi, pi*) &lt; 0.05 (measured 0.01); the trained policy's exact KL(pi || pi_ref) within 10% of
    /// KL(pi* || pi_ref); objective/kl (a sampled estimate of the rollout policy's KL) within 10% of it plus its sampling
    /// band.
    /// </summary>
    [Fact]
    public void Ppo_with_the_k1_penalty_converges_to_the_kl_regularised_optimum_of_a_bandit()
    {
        var (pi, piRef, optimum, metrics) = Train("k1");
        var tv = PpoBandit.TotalVariation(pi, optimum);
        var klOptimum = PpoBandit.Kl(optimum, piRef);
        var klPolicy = PpoBandit.Kl(pi, piRef);
        var (lateKl, band) = LateKl(metrics);
        output.WriteLine($"objective/kl last 10: {lateKl:F4} +- {band:F4}");
        Assert.True(tv < 0.05, $"TV(pi, pi*) = {tv:F4}");
        Assert.True(Math.Abs(klPolicy - klOptimum) < 0.1 * klOptimum, $"KL(pi||pi_ref) {klPolicy:F4} vs KL(pi*||pi_ref) {klOptimum:F4}");
        Assert.True(Math.Abs(lateKl - klOptimum) < 0.1 * klOptimum + band, $"objective/kl {lateKl:F4} (+- {band:F4}) vs KL(pi*||pi_ref) {klOptimum:F4}");
    }

    /// <summary>
    /// k3 = (rho - 1) - log rho, rho = pi_ref / pi, is an unbiased (but heavy-tailed) estimate of KL(pi || pi_ref) on
    /// samples of pi. As a per-token reward (TRL's kl_estimator="k3" in PPO), though, its policy gradient is not the
    /// KL's: the stationary condition is r(a) - beta k3(a) = const, and a token pushed below its reference probability
    /// is penalised ~ beta pi_ref / pi, which pushes it further down. In exact tabular dynamics on this bandit the policy
    /// passes near pi* (TV 0.12) and then collapses onto the best arm (TV 0.66, KL 2.8 nats); see Tang and Munos (2025),
    /// "On a few pitfalls in KL divergence gradient estimation for RL". PPO here ends on the two best arms (measured:
    /// TV(pi, pi*) 0.39, KL 2.0 nats against pi*'s 0.87). So pi* is not the target with k3, and what is asserted is what
    /// theory does say: objective/kl is never negative (k3 >= 0 per token, unlike k1), the score rises above the
    /// reference's expected score, and the policy is not less concentrated on the best arm than pi* (the bias leans that
    /// way, never back towards pi_ref). The k3 formula itself is checked against hand-computed values in PpoMathTests.
    /// </summary>
    [Fact]
    public void Ppo_with_the_k3_penalty_raises_the_score_and_leans_past_the_optimum_towards_the_best_arm()
    {
        var (pi, piRef, optimum, metrics) = Train("k3");
        var r = PpoBandit.Rewards(piRef.Length);
        var refScore = piRef.Select((p, a) => p * r[a]).Sum();
        var lateScore = metrics.TakeLast(10).Average(m => m.Values["objective/scores"]);
        var best = PpoBandit.Arms[^1];
        output.WriteLine($"score {lateScore:F3} vs reference {refScore:F3}; best arm pi {pi[best]:F4}, pi* {optimum[best]:F4}");
        Assert.All(metrics, m => Assert.True(m.Values["objective/kl"] >= 0, $"update {m.Step}: objective/kl {m.Values["objective/kl"]} < 0 with k3"));
        Assert.True(lateScore > refScore + 0.1, $"score {lateScore:F3}, reference {refScore:F3}");
        Assert.True(pi[best] >= 0.9 * optimum[best], $"best arm: pi {pi[best]:F4}, pi* {optimum[best]:F4}");
    }
}
