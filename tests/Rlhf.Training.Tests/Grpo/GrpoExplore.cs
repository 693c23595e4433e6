using Rlhf.Training.Tests.Ppo;
using Xunit.Abstractions;
namespace Rlhf.Training.Tests.Grpo;
public class GrpoExplore(ITestOutputHelper output)
{
    [Fact]
    public void Explore()
    {
        using var folder = new TempFolder();
        var reference = PpoBandit.WriteReferencePolicy(folder.Sub("ref"));
        var piRef = PpoBandit.NextTokenDistribution(reference, PpoBandit.Prompts[0], 0.7);
        var r = PpoBandit.Rewards(piRef.Length);
        foreach (var beta in new[] { 0.04, 0.1, 0.3, 0.5, 1.0, 2.0 })
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var opt = GrpoBanditOptimum.Solve(piRef, r, 8, beta, true);
            var noStd = GrpoBanditOptimum.Solve(piRef, r, 8, beta, false);
            output.WriteLine($"beta {beta}: {sw.ElapsedMilliseconds} ms sum {opt.Sum():F6} TV(ref,opt) {PpoBandit.TotalVariation(piRef, opt):F4} TV(opt,noStd) {PpoBandit.TotalVariation(opt, noStd):F4} best {opt[109]:F4} arms " + string.Join(" ", PpoBandit.Arms.Select(a => opt[a].ToString("F3"))));
        }
    }
}
