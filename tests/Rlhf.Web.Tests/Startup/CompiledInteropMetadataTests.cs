using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using MudBlazor;
using MudBlazor.Interop;
using MudBlazor.Services;
using Rlhf.Web.Interop;

namespace Rlhf.Web.Tests.Startup;

/// <summary>
/// Each circuit's JS runtime serializes MudBlazor's interop payloads with compiled contracts, shared by all circuits,
/// rather than with reflection, which gave every circuit type infos and IL-emitted accessors of its own (BENCHMARKS.md:
/// about 50 kB of managed heap per open rating page); and the compiled contracts write and read the same JSON as
/// reflection does.
/// </summary>
public sealed class CompiledInteropMetadataTests
{
    private static readonly Type[] InteropTypes =
        [typeof(KeyOptions), typeof(KeyInterceptorOptions), typeof(ResizeOptions), typeof(BrowserWindowSize), typeof(BoundingClientRect)];

    [Fact]
    public void Every_circuit_s_JS_runtime_takes_MudBlazor_s_interop_types_from_the_compiled_contracts()
    {
        using var factory = new RlhfWebFactory();
        using var first = factory.Services.CreateScope();
        using var second = factory.Services.CreateScope();
        var a = (JSRuntime)first.ServiceProvider.GetRequiredService<IJSRuntime>();
        var b = (JSRuntime)second.ServiceProvider.GetRequiredService<IJSRuntime>();
        Assert.NotSame(a, b);
        Assert.Equal("RemoteJSRuntime", a.GetType().Name); // Blazor Server's own runtime, made as before
        foreach (var runtime in new[] { a, b })
        {
            var options = CompiledInteropMetadata.SerializerOptionsOf(runtime);
            foreach (var type in InteropTypes)
                Assert.Same(InteropJsonContext.Default, options.GetTypeInfo(type).OriginatingResolver);
            // Types the compiled contracts do not know still resolve, by reflection, after them.
            Assert.IsType<DefaultJsonTypeInfoResolver>(options.GetTypeInfo(typeof(Uri)).OriginatingResolver, exactMatch: false);
        }
    }

    public static TheoryData<object> Payloads() => new()
    {
        new KeyOptions("Enter", subscribeDown: true, subscribeUp: false, preventDown: "key+none", preventUp: "none", stopDown: "key+shift", stopUp: "none", ignoreDownRepeats: true),
        new KeyInterceptorOptions("mud-chip", enableLogging: true, keys: [new KeyOptions { Key = " ", PreventDown = "key+none" }, new KeyOptions { Key = "/./", SubscribeUp = true }]),
        new ResizeOptions { ReportRate = 250, EnableLogging = true, SuppressInitEvent = false, NotifyOnBreakpointOnly = true,
                            BreakpointDefinitions = new() { [Breakpoint.Sm] = 600, [Breakpoint.Lg] = 1280 } },
        new BrowserWindowSize { Height = 801, Width = 1279 },
        new BoundingClientRect { Top = 1.5, Left = -2.25, Width = 300, Height = 40.125, WindowWidth = 1280, WindowHeight = 800, ScrollX = 3, ScrollY = 120.5 },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void The_compiled_contracts_write_and_read_the_JSON_reflection_does(object payload)
    {
        var type = payload.GetType();
        var compiled = CircuitOptions();
        var reflection = ReflectionOptions();
        Assert.Same(InteropJsonContext.Default, compiled.GetTypeInfo(type).OriginatingResolver);

        var json = JsonSerializer.Serialize(payload, type, compiled);
        Assert.Equal(JsonSerializer.Serialize(payload, type, reflection), json);
        Assert.Contains("\"", json);
        Assert.DoesNotContain("{}", json);
        // As JS interop sends arguments: an object array.
        Assert.Equal(JsonSerializer.Serialize(new object[] { "id-1", payload }, reflection), JsonSerializer.Serialize(new object[] { "id-1", payload }, compiled));
        // What the browser sends back reads as it did.
        var back = JsonSerializer.Deserialize(json, type, compiled);
        Assert.Equal(json, JsonSerializer.Serialize(back, type, reflection));
    }

    [Fact]
    public void Sizes_from_the_browser_read_into_MudBlazor_s_types()
    {
        var options = CircuitOptions();
        var size = JsonSerializer.Deserialize<BrowserWindowSize>("""{"height":812,"width":375}""", options)!;
        Assert.Equal((812, 375), (size.Height, size.Width));
        var rect = JsonSerializer.Deserialize<BoundingClientRect>("""{"top":10.5,"left":20,"width":100,"height":50,"windowHeight":900,"windowWidth":1440,"scrollX":0,"scrollY":64}""", options)!;
        Assert.Equal((10.5, 20.0, 100.0, 50.0, 900.0, 1440.0, 64.0), (rect.Top, rect.Left, rect.Width, rect.Height, rect.WindowHeight, rect.WindowWidth, rect.ScrollY));
        Assert.Equal(60.5, rect.Bottom);
    }

    [Fact]
    public void Adding_the_contracts_twice_adds_them_once_and_before_reflection()
    {
        foreach (var options in new[] { ReflectionOptions(), new JsonSerializerOptions { TypeInfoResolver = new DefaultJsonTypeInfoResolver() } })
        {
            CompiledInteropMetadata.AddTo(options);
            CompiledInteropMetadata.AddTo(options);
            Assert.Equal(2, options.TypeInfoResolverChain.Count);
            Assert.Same(InteropJsonContext.Default, options.TypeInfoResolverChain[0]);
            Assert.IsType<DefaultJsonTypeInfoResolver>(options.TypeInfoResolverChain[1], exactMatch: false);
            Assert.Equal("\"https://example.test/\"", JsonSerializer.Serialize(new Uri("https://example.test/"), options));
        }
    }

    /// <summary>The JS runtime's settings (Microsoft.JSInterop's JSRuntime): no resolver set, so reflection when first used.</summary>
    private static JsonSerializerOptions ReflectionOptions() =>
        new() { MaxDepth = 32, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true };

    private static JsonSerializerOptions CircuitOptions()
    {
        var options = ReflectionOptions();
        CompiledInteropMetadata.AddTo(options);
        return options;
    }
}
