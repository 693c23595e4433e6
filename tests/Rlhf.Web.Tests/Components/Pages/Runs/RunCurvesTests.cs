using Bunit;
using MudBlazor.Services;
using Rlhf.Core.Jobs;
using Rlhf.Web.Components.Pages.Runs;

namespace Rlhf.Web.Tests.Components.Pages.Runs;

/// <summary>
/// A run's curves, rendered with bUnit: an evaluation metric logged on fewer steps than the training metric is drawn
/// through its own points only (no drop to 0 on steps without an evaluation), and the x axis is titled.
/// </summary>
public class RunCurvesTests
{
    [Fact]
    public async Task An_evaluation_line_joins_its_own_steps_and_never_drops_to_zero()
    {
        await using var context = new BunitContext();
        context.Services.AddMudServices();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        // train/loss at steps 1..10 falling from 2.0 to 1.1; eval/loss only at steps 5 and 10, both 1.5.
        var metrics = Enumerable.Range(1, 10).Select(s => new JobMetric { Step = s, Name = "train/loss", Value = 2.1 - 0.1 * s })
            .Concat([new JobMetric { Step = 5, Name = "eval/loss", Value = 1.5 }, new JobMetric { Step = 10, Name = "eval/loss", Value = 1.5 }])
            .ToList();

        var curves = context.Render<RunCurves>(p => p.Add(c => c.Metrics, metrics));

        var chart = curves.Find("[data-chart='Loss']");
        var lines = chart.QuerySelectorAll("path.mud-chart-line").Select(p => p.GetAttribute("d")!).ToList();
        Assert.Equal(2, lines.Count);
        var train = Points(lines[0]);
        var eval = Points(lines[1]);
        Assert.Equal(10, train.Count);
        // The evaluation line has a point at steps 5 and 10 only, at one height (both 1.5): a flat segment.
        Assert.Equal(2, eval.Count);
        Assert.Equal(eval[0].Y, eval[1].Y, 3);
        Assert.Equal(train[4].X, eval[0].X, 3);
        Assert.Equal(train[9].X, eval[1].X, 3);
        // 1.5 lies between train/loss at step 6 (1.5) and step 5 (1.6): no point of the evaluation line sits at 0's height.
        Assert.Equal(train[5].Y, eval[0].Y, 3);
        Assert.Contains("step", chart.TextContent);
        Assert.Contains("eval/loss: 1.5000", chart.TextContent);
    }

    /// <summary>The points of an SVG path made of M and L commands.</summary>
    private static List<(double X, double Y)> Points(string d)
    {
        var numbers = d.Split([' ', ',', 'M', 'L'], StringSplitOptions.RemoveEmptyEntries)
            .Select(n => double.Parse(n, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return Enumerable.Range(0, numbers.Count / 2).Select(i => (numbers[2 * i], numbers[2 * i + 1])).ToList();
    }
}
