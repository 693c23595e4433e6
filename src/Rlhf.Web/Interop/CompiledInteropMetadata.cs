using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.JSInterop;

namespace Rlhf.Web.Interop;

/// <summary>
/// Puts <see cref="InteropJsonContext"/> into every circuit's JS interop serializer options, ahead of the reflection
/// resolver, as the circuit's JS runtime is made: the options must still be open to change, and the framework's
/// renderer makes its first interop call (which freezes them) before any circuit handler runs.
/// </summary>
public static class CompiledInteropMetadata
{
    /// <summary>
    /// Wraps the last <see cref="IJSRuntime"/> registration (Blazor Server's own; call after
    /// <c>AddInteractiveServerComponents</c>) so that each runtime it makes gets the compiled contracts.
    /// </summary>
    public static IServiceCollection AddCompiledInteropMetadata(this IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IJSRuntime))
            ?? throw new InvalidOperationException("No IJSRuntime is registered: call AddInteractiveServerComponents first.");
        if (registered.Lifetime != ServiceLifetime.Scoped || registered.ImplementationType is not { } runtimeType)
            throw new InvalidOperationException($"The IJSRuntime registration is not a scoped type ({registered}); the compiled interop contracts cannot be added to it.");
        services.Remove(registered);
        services.AddScoped(provider =>
        {
            var runtime = (IJSRuntime)ActivatorUtilities.CreateInstance(provider, runtimeType);
            if (runtime is JSRuntime js) AddTo(SerializerOptionsOf(js));
            return runtime;
        });
        return services;
    }

    /// <summary>
    /// Puts the compiled contracts first among the resolvers that would otherwise use reflection. Options with no resolver
    /// (the JS runtime's, as of .NET 10) fall back on reflection when first used; that fallback is added after ours, as
    /// a chain of ours alone would know no other type.
    /// </summary>
    public static void AddTo(JsonSerializerOptions options)
    {
        var chain = options.TypeInfoResolverChain;
        if (chain.Contains(InteropJsonContext.Default)) return;
        if (chain.Count == 0 && JsonSerializer.IsReflectionEnabledByDefault) chain.Add(JsonSerializerOptions.Default.TypeInfoResolver);
        var reflection = -1;
        for (var i = 0; i < chain.Count && reflection < 0; i++)
            if (chain[i] is DefaultJsonTypeInfoResolver) reflection = i;
        chain.Insert(reflection < 0 ? chain.Count : reflection, InteropJsonContext.Default);
    }

    /// <summary>The runtime's serializer options (<c>protected internal</c> on <see cref="JSRuntime"/>).</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_JsonSerializerOptions")]
    public static extern JsonSerializerOptions SerializerOptionsOf(JSRuntime runtime);
}
