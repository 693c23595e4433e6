using Rlhf.Training.Grpo;
using Rlhf.Training.Tests.Ppo;
using Xunit.Abstractions;

namespace Rlhf.Training.Tests.Grpo;

/// <summary>
/// GRPO on the one-token bandit of the PPO tests (<see cref="PpoBandit"/>: 10 arms with scripted rewards 0 .. 0.45, every
/// other token 0), where the point it converges to can be derived.
/// <para><b>Derivation.</b> Take a softmax policy pi = softmax(theta) over tokens (the network is free enough to act as
/// one here; log-probs of logits / T, so theta = logits / T and T only rescales the step). One update samples groups
/// a_1..a_G ~ pi, advantages A_i = (r_i - mean_group r) / (std_group r + 1e-4) (0 for a group of equal rewards), and
/// descends loss = -(1/G) sum_i A_i log pi(a_i) + beta k3(a_i) at ratio 1 (every loss aggregation is the same for one
/// token), k3(a) = rho - log rho - 1, rho = pi_ref(a) / pi(a).
/// <list type="bullet">
/// <item>Policy term: d log pi(a) / d theta = e_a - pi. The group's advantages sum to 0, so the -pi part cancels and
/// E[(1/G) sum_i A_i (e_{a_i} - pi)] = E[A_1 e_{a_1}], whose component a is pi(a) Abar(a), Abar(a) = E[A_1 | a_1 = a]
/// with a_2..a_G ~ pi. Abar is not r(a) - E r scaled by a constant: the mean and std are the group's, so it is computed
/// exactly (<see cref="GrpoBanditOptimum"/>).</item>
/// <item>KL term: d k3(a) / d theta = (1 - rho) (e_a - pi), and E_{a~pi}[(1 - pi_ref(a)/pi(a)) (e_a - pi)] = pi - pi_ref,
/// the gradient of KL(pi_ref || pi), not of KL(pi || pi_ref): k3 is an unbiased estimate of KL(pi || ref)'s value, but
/// placed in the loss its gradient is the reverse KL's.</item>
/// </list>
/// Expected update = 0: pi(a) Abar(a) = beta (pi(a) - pi_ref(a)), i.e. pi*(a) = beta pi_ref(a) / (beta - Abar(a)). With
/// beta = 0 the only stable point is the best arm alone (it has Abar &gt; 0 while any other token has mass).</para>
/// <para>With beta = 1 and G = 8 the derived pi* puts 0.34 on the best arm (pi_ref 0.10): TV(pi_ref, pi*) = 0.38, and
/// the optimum without the std normalisation is 0.33 away, a KL(pi || ref)-shaped or sign-flipped one further; the
/// trained policy's sampling noise is about 0.02, so TV(pi, pi*) &lt; 0.06 tells them apart on any CPU.</para>
/// </summary>
public class GrpoBanditTests(ITestOutputHelper output)
{
    private const double Temperature = 0.7;
    private const int Group = 8;

    private (double[] Pi, double[] PiRef, List<GrpoMetrics> Metrics) Train(double beta, int steps)
    {
        TorchThreads.EnsureConfigured();
        using var folder = new TempFolder();
        var reference = PpoBandit.WriteReferencePolicy(folder.Sub("ref"));
        var config = new GrpoConfig
        {
            Steps = steps, BatchSize = 8, NumGenerations = Group, NumIterations = 2, MiniBatches = 2, LearningRate = 1e-2,
            MaxCompletionLength = 1, Beta = beta, Temperature = Temperature, MaxPromptLength = 16, Seed = 5, SampleEvery = 1000,
        };
        var metrics = new List<GrpoMetrics>();
        new GrpoTrainer(config).Train(reference, null, PpoBandit.Prompts, folder.Sub("out"), null, metrics.Add, null,
            CancellationToken.None, new PpoBandit.Scorer());
        var piRef = PpoBandit.NextTokenDistribution(reference, PpoBandit.Prompts[0], Temperature);
        var pi = PpoBandit.NextTokenDistribution(folder.Sub("out"), PpoBandit.Prompts[0], Temperature);
        foreach (var m in metrics)
            output.WriteLine($"{m.Step,3} reward {m.Values["reward"]:F3} kl {(m.Values.TryGetValue("kl", out var kl) ? kl : double.NaN):F3} " +
                             $"entropy {m.Values["entropy"]:F3} clip {m.Values["clip_ratio/region_mean"]:F3}");
        return (pi, piRef, metrics);
    }

    [Fact]
    public void Grpo_converges_to_the_derived_stationary_point_of_its_estimator_on_a_bandit()
    {
        const double beta = 1.0;
        var (pi, piRef, metrics) = Train(beta, steps: 30);
        var r = PpoBandit.Rewards(piRef.Length);
        var optimum = GrpoBanditOptimum.Solve(piRef, r, Group, beta, scaleRewards: true);
        var withoutStd = GrpoBanditOptimum.Solve(piRef, r, Group, beta, scaleRewards: false);
        var tv = PpoBandit.TotalVariation(pi, optimum);
        output.WriteLine($"TV(pi, pi*) {tv:F4}, TV(pi_ref, pi*) {PpoBandit.TotalVariation(piRef, optimum):F4}, TV(pi*, pi* without std) {PpoBandit.TotalVariation(optimum, withoutStd):F4}");
        foreach (var a in PpoBandit.Arms) output.WriteLine($"arm {a}: r {r[a]:F2} ref {piRef[a]:F4} pi* {optimum[a]:F4} pi {pi[a]:F4}");

        Assert.True(PpoBandit.TotalVariation(optimum, withoutStd) > 0.2, "the test must tell the std normalisation apart");
        Assert.True(tv < 0.06, $"TV(pi, pi*) = {tv:F4}");
        Assert.All(metrics, m => Assert.True(m.Values["kl"] >= 0, $"update {m.Step}: kl {m.Values["kl"]} < 0 (k3 is never negative)"));
    }

    [Fact]
    public void Grpo_without_the_kl_term_converges_to_the_best_arm()
    {
        var (pi, _, metrics) = Train(beta: 0, steps: 16);
        var best = PpoBandit.Arms[^1];
        output.WriteLine($"pi(best) {pi[best]:F4}");
        Assert.True(pi[best] > 0.9, $"pi(best arm) = {pi[best]:F4}");
        Assert.All(metrics, m => Assert.False(m.Values.ContainsKey("kl"), "beta 0 has no reference and logs no kl"));
        Assert.True(metrics[^1].Values["reward"] > 0.4, $"last reward {metrics[^1].Values["reward"]:F3}");
    }
}
