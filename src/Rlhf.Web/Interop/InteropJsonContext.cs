using System.Text.Json.Serialization;
using MudBlazor;
using MudBlazor.Interop;
using MudBlazor.Services;

namespace Rlhf.Web.Interop;

/// <summary>
/// Compiled (source-generated) JSON contracts for the types that cross JS interop on every open page: MudBlazor's
/// key interceptor, viewport and resize-observer payloads, and the framework's own public ones. Each circuit's JS runtime
/// has serializer options of its own; resolved by reflection, every such type would be given new IL-emitted accessors
/// in every circuit (System.Text.Json keeps its emitted accessors for about a second): 40 dynamic methods per open page
/// in a heap dump. With these contracts, compiled once for all circuits (<see cref="CompiledInteropMetadata"/>), each
/// open rating page holds about 50 kB less managed heap (BENCHMARKS.md).
/// Property names are camel case, as the JS runtime's own options have them.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(BoundingClientRect))]
[JsonSerializable(typeof(BoundingClientRect[]))]
[JsonSerializable(typeof(KeyOptions))]
[JsonSerializable(typeof(KeyInterceptorOptions))]
[JsonSerializable(typeof(ResizeOptions))]
[JsonSerializable(typeof(BrowserWindowSize))]
[JsonSerializable(typeof(Dictionary<Breakpoint, int>))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(char))]
[JsonSerializable(typeof(Guid))]
public sealed partial class InteropJsonContext : JsonSerializerContext;
