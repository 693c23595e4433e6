using System.Text.Json;
using Microsoft.Playwright;

namespace Rlhf.Browser.Tests.Accessibility;

/// <summary>
/// Runs axe-core (axe.min.js beside this file, from the npm package) on the page as it stands and fails with every
/// serious or critical violation: the rule, its help text and the first elements it names. The script is evaluated
/// through the DevTools protocol, which the site's Content-Security-Policy does not block.
/// </summary>
public static class AccessibilityCheck
{
    private static readonly Lazy<string> Axe = new(() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Accessibility", "axe.min.js")));

    public static async Task AssertNoSeriousViolationsAsync(IPage page, string what)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
            await page.EvaluateAsync(Axe.Value);
        var json = await page.EvaluateAsync<string>(@"async () => {
            const result = await window.axe.run(document, { resultTypes: ['violations'] });
            return JSON.stringify(result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\s+/g, ' ')) })));
        }");
        using var doc = JsonDocument.Parse(json);
        var violations = doc.RootElement.EnumerateArray().Select(v =>
            $"{v.GetProperty("impact").GetString()} {v.GetProperty("id").GetString()}: {v.GetProperty("help").GetString()} at {string.Join(" | ", v.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()))}").ToList();
        Assert.True(violations.Count == 0, $"{what}: {violations.Count} serious or critical accessibility violations:\n{string.Join("\n", violations)}");
    }
}
