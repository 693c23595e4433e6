using System.CommandLine;
using Rlhf.Bench.Training;
using Rlhf.Training.Models;
using static TorchSharp.torch;

namespace Rlhf.Bench.Commands;

/// <summary>
/// The options `bench forward|generate|sft|reward|ppo` share for other model families: --arch gpt2|llama, --preset,
/// --dtype float32,bf16 and --layers; the training benchmarks also --lora-r and --method full,lora. With --arch llama a benchmark runs <see cref="LlamaBenchmark"/> with that
/// benchmark's own llama defaults, overridden by the size options given explicitly on the command line.
/// </summary>
public sealed class LlamaBenchOptions
{
    private static readonly LlamaBenchmark.Options Defaults = new();

    public Option<string> Arch { get; } = new("--arch") { Description = "Model family: gpt2 (default) or llama.", DefaultValueFactory = _ => "gpt2" };
    public Option<string> Preset { get; } = new("--preset") { Description = "Shapes of the llama model: smollm2-135m.", DefaultValueFactory = _ => Defaults.Preset };
    public Option<string> Dtype { get; } = new("--dtype") { Description = "Compute dtypes of the llama runs, comma-separated: float32, bf16 (both by default, measured in one run).", DefaultValueFactory = _ => "float32,bf16" };
    public Option<int?> Layers { get; } = new("--layers") { Description = "Fewer decoder layers than the llama preset (quick runs)." };
    public Option<int?> LoraR { get; } = new("--lora-r") { Description = "Also time a LoRA adapter of this rank on every linear layer (alpha 2r), beside full fine-tuning, in the same run." };
    public Option<string?> Method { get; } = new("--method") { Description = "What trains, comma-separated: full, lora (default: full, and lora too with --lora-r). One method and one --dtype per process gives each one's own peak memory." };

    /// <param name="training">A training benchmark (sft, reward, ppo): also --lora-r and --method.</param>
    public void AddTo(Command command, bool training = false)
    {
        command.Options.Add(Arch);
        command.Options.Add(Preset);
        command.Options.Add(Dtype);
        command.Options.Add(Layers);
        if (!training) return;
        command.Options.Add(LoraR);
        command.Options.Add(Method);
    }

    /// <summary>Null for gpt2, the llama options for llama; a one-line problem for anything unusable.</summary>
    public LlamaBenchmark.Options? Parse(ParseResult parseResult, LlamaBenchmark.Options benchmarkDefaults, out string? problem)
    {
        problem = null;
        var arch = parseResult.GetValue(Arch)?.Trim().ToLowerInvariant();
        if (arch == "gpt2") return null;
        if (arch != "llama")
        {
            problem = $"--arch is \"{parseResult.GetValue(Arch)}\", expected gpt2 or llama.";
            return null;
        }
        var dtypes = new List<ScalarType>();
        foreach (var name in (parseResult.GetValue(Dtype) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try { dtypes.Add(ComputePrecision.Parse(name)); }
            catch (ArgumentException) { problem = $"--dtype: \"{name}\" is not float32 or bf16."; return null; }
        }
        var options = benchmarkDefaults with
        {
            Preset = parseResult.GetValue(Preset) ?? benchmarkDefaults.Preset,
            Dtypes = dtypes.Distinct().ToList(),
            Layers = parseResult.GetValue(Layers),
            LoraRank = parseResult.GetValue(LoraR),
            Methods = parseResult.GetValue(Method) is { } methods
                ? methods.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => m.ToLowerInvariant()).Distinct().ToList()
                : parseResult.GetValue(LoraR) is null ? [LlamaBenchmark.Full] : [LlamaBenchmark.Full, LlamaBenchmark.Lora],
        };
        if (options.Problem() is string p) problem = $"--{p}.";
        return problem is null ? options : null;
    }

    /// <summary>The value of <paramref name="option"/> when given on the command line, else null.</summary>
    public static T? Explicit<T>(ParseResult parseResult, Option<T> option) where T : struct
        => parseResult.GetResult(option) is { Implicit: false } ? parseResult.GetValue(option) : null;
}
