using System.Reflection;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Lora;

/// <summary>
/// LoRA adapters on a model's linear layers (PEFT's LoraModel): <see cref="Apply"/> freezes every base parameter and
/// wraps each target layer in a <see cref="LoraLinear"/>; the adapter's parameters are then the only trainable ones.
/// Any trainer opts in with one call, giving its optimizer <see cref="NamedParameters"/> instead of the model's:
/// <code>
/// using var adapter = LoraAdapter.Apply(model.Module, model.ModelType, loraConfig, generator);
/// var optimizer = new FusedAdamW(adapter.NamedParameters, ...);
/// ... adapter.Save(folder, baseName);   // PEFT layout: adapter_config.json + adapter_model.safetensors
/// </code>
/// <see cref="Enabled"/> false turns every adapter off (the frozen base: PPO's reference), <see cref="MergeIntoBase"/>
/// folds them into the base weights. Files: <see cref="LoraFiles"/>.
/// <para>The models hold their linear layers in fields named as the HF modules (c_attn, q_proj, ...), typed
/// nn.Module&lt;Tensor, Tensor&gt;; Apply swaps a field's Linear for its LoraLinear. The model's state dict is
/// untouched (the base names and weights), so saving the model saves the base.</para>
/// </summary>
public sealed class LoraAdapter : IDisposable
{
    private readonly List<(string Name, nn.Module Parent, FieldInfo Field, LoraLinear Layer)> _layers;

    private LoraAdapter(LoraConfig config, string modelType, List<(string, nn.Module, FieldInfo, LoraLinear)> layers)
    {
        Config = config;
        ModelType = modelType;
        _layers = layers;
    }

    public LoraConfig Config { get; }

    /// <summary>config.json's model_type of the adapted model.</summary>
    public string ModelType { get; }

    /// <summary>The adapted modules' HF names ("model.layers.0.self_attn.q_proj"), in the model's order.</summary>
    public IReadOnlyList<string> ModuleNames => _layers.Select(l => l.Name).ToList();

    public IReadOnlyList<LoraLinear> Layers => _layers.Select(l => l.Layer).ToList();

    /// <summary>"{module}.lora_A.weight" [r, in] and "{module}.lora_B.weight" [out, r]: PEFT's names without "base_model.model.".</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters =>
        _layers.SelectMany(l => new[] { ($"{l.Name}.lora_A.weight", l.Layer.LoraA), ($"{l.Name}.lora_B.weight", l.Layer.LoraB) });

    /// <summary>Adapter elements (what trains).</summary>
    public long ParameterCount => NamedParameters.Sum(p => p.Parameter.numel());

    /// <summary>False: every adapted layer computes its base layer alone.</summary>
    public bool Enabled
    {
        get => _layers.All(l => l.Layer.Enabled);
        set { foreach (var l in _layers) l.Layer.Enabled = value; }
    }

    /// <summary>
    /// Freezes <paramref name="model"/>'s parameters and wraps every Linear whose HF name matches a target. lora_A is drawn
    /// from <paramref name="generator"/> (module order), lora_B is zero. Throws <see cref="ArgumentException"/> when a target
    /// matches no linear layer.
    /// </summary>
    public static LoraAdapter Apply(nn.Module model, string modelType, LoraConfig config, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        var problems = config.Problems();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        var targets = config.TargetsFor(modelType);
        var modules = model.named_modules().ToList();
        var byName = modules.ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        var layers = new List<(string, nn.Module, FieldInfo, LoraLinear)>();
        var matched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, module) in modules)
        {
            var leaf = name[(name.LastIndexOf('.') + 1)..];
            var target = targets.FirstOrDefault(t => name == t || name.EndsWith("." + t, StringComparison.Ordinal));
            if (target is null || module is not Linear linear) continue;
            var parent = byName[name.Contains('.') ? name[..name.LastIndexOf('.')] : ""];
            var field = parent.GetType().GetField(leaf, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
            if (field is null || !field.FieldType.IsAssignableFrom(typeof(LoraLinear)) || !ReferenceEquals(field.GetValue(parent), linear))
                throw new ArgumentException($"{name}: {parent.GetType().Name} does not hold this layer in a field \"{leaf}\" LoRA can wrap");
            layers.Add((name, parent, field, new LoraLinear(linear, config.Rank, config.Scaling, config.Dropout, generator)));
            matched.Add(target);
        }
        var unmatched = targets.Where(t => !matched.Contains(t)).ToList();
        if (unmatched.Count > 0)
        {
            foreach (var (_, _, _, layer) in layers) layer.Dispose();
            throw new ArgumentException($"--lora-targets {string.Join(",", unmatched)} match no linear layer of this {modelType} model " +
                $"(its linear layers: {string.Join(",", LoraConfig.AllLinear(modelType))})");
        }

        foreach (var p in model.parameters()) p.requires_grad = false;
        foreach (var (_, parent, field, layer) in layers) field.SetValue(parent, layer);
        return new LoraAdapter(config, modelType, layers);
    }

    /// <summary>Applies the adapter saved in <paramref name="adapterFolder"/> (PEFT layout) to <paramref name="model"/> and loads its weights.</summary>
    public static LoraAdapter Load(nn.Module model, string modelType, string adapterFolder)
    {
        var config = LoraFiles.ReadConfig(adapterFolder);
        var adapter = Apply(model, modelType, config);
        try
        {
            LoraFiles.ReadWeights(adapterFolder, adapter);
        }
        catch
        {
            adapter.Dispose();
            throw;
        }
        return adapter;
    }

    /// <summary>Writes adapter_config.json and adapter_model.safetensors (PEFT's layout and key names).</summary>
    public void Save(string folder, string baseModelNameOrPath) => LoraFiles.Write(folder, this, baseModelNameOrPath);

    /// <summary>
    /// Adds scaling * B A to each base weight and puts the plain Linear layers back: the model then computes what it
    /// computed with the adapters, and saving it saves the merged (full) weights. This adapter is disposed.
    /// </summary>
    public void MergeIntoBase()
    {
        using (no_grad())
        {
            foreach (var (_, _, _, layer) in _layers)
            {
                using var delta = layer.DeltaWeight();                                        // [out, in]
                layer.BaseLayer.weight!.add_(delta);
                WeightVersions.Bump(layer.BaseLayer.weight);                                  // a cached bf16 copy is stale
            }
        }
        Dispose();
    }

    /// <summary>Puts the plain Linear layers back and frees the adapters (the base weights stay frozen).</summary>
    public void Dispose()
    {
        foreach (var (_, parent, field, layer) in _layers)
        {
            if (ReferenceEquals(field.GetValue(parent), layer)) field.SetValue(parent, layer.BaseLayer);
            layer.Dispose();
        }
        _layers.Clear();
    }
}
