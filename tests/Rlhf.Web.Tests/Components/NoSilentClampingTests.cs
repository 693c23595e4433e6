using System.Text.RegularExpressions;
using Rlhf.Data.Hosting;

namespace Rlhf.Web.Tests.Components;

/// <summary>
/// No form changes a value behind the user's back: a MudNumericField with Min or Max quietly clamps what was typed
/// (Epochs 0 became 1, a validation share of 1.5 became 0.5, issue 16's first problem), so ranges are the services'
/// and run configs' own checks, which answer with a message under the field or above the button instead.
/// </summary>
public partial class NoSilentClampingTests
{
    [Fact]
    public void No_numeric_field_of_the_site_clamps_what_was_typed()
    {
        var components = Path.Combine(ContentRootLocator.FindRepositoryRoot(AppContext.BaseDirectory)!, "src", "Rlhf.Web", "Components");
        var files = Directory.GetFiles(components, "*.razor", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        var fields = files.SelectMany(f => NumericField().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Tag: m.Value))).ToList();
        Assert.True(fields.Count > 20, $"only {fields.Count} numeric fields found: the pattern no longer matches the forms");
        var clamping = fields.Where(f => Bound().IsMatch(f.Tag)).Select(f => $"{f.File}: {f.Tag[..Math.Min(120, f.Tag.Length)]}").ToList();
        Assert.True(clamping.Count == 0, "fields that clamp silently:\n" + string.Join("\n", clamping));
    }

    /// <summary>A whole MudNumericField tag, over several lines if need be.</summary>
    [GeneratedRegex(@"<MudNumericField\b.*?(/>|</MudNumericField>)", RegexOptions.Singleline)]
    private static partial Regex NumericField();

    [GeneratedRegex(@"\s(Min|Max)\s*=")]
    private static partial Regex Bound();
}
