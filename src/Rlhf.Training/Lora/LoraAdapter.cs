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

    private readonly Parameter? _scoreHead;

    private LoraAdapter(LoraConfig config, string modelType, List<(string, nn.Module, FieldInfo, LoraLinear)> layers, Parameter? scoreHead)
    {
        Config = config;
        ModelType = modelType;
        _layers = layers;
        _scoreHead = scoreHead;
    }

    /// <summary>The name of a reward or value model's head, PEFT's modules_to_save entry.</summary>
    public const string ScoreHead = "score";

    /// <summary>True when the adapter holds a reward or value model's score head (PEFT's modules_to_save=["score"]).</summary>
    public bool HasScoreHead => _scoreHead is not null;

    public LoraConfig Config { get; }

    /// <summary>config.json's model_type of the adapted model.</summary>
    public string ModelType { get; }

    /// <summary>The adapted modules' HF names ("model.layers.0.self_attn.q_proj"), in the model's order.</summary>
    public IReadOnlyList<string> ModuleNames => _layers.Select(l => l.Name).ToList();

    public IReadOnlyList<LoraLinear> Layers => _layers.Select(l => l.Layer).ToList();

    /// <summary>"{module}.lora_A.weight" [r, in] and "{module}.lora_B.weight" [out, r]: PEFT's names without "base_model.model.".
    /// With a score head also "score.weight" [1, hidden] (PEFT saves modules_to_save under the module's own name).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters =>
        _layers.SelectMany(l => new[] { ($"{l.Name}.lora_A.weight", l.Layer.LoraA), ($"{l.Name}.lora_B.weight", l.Layer.LoraB) })
            .Concat(_scoreHead is null ? [] : [($"{ScoreHead}.weight", _scoreHead)]);

    /// <summary>What the optimizer gets: <see cref="NamedParameters"/> but a score head that does not train.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> TrainableParameters => NamedParameters.Where(p => p.Parameter.requires_grad);

    /// <summary>Adapter elements (what trains).</summary>
    public long ParameterCount => NamedParameters.Sum(p => p.Parameter.numel());

    /// <summary>False: every adapted layer computes its base layer alone.</summary>
    public bool Enabled
    {
        get => _layers.All(l => l.Layer.Enabled);
        set { foreach (var l in _layers) l.Layer.Enabled = value; }
    }

    /// <summary>Turns the adapter off until the returned scope is disposed: the model computes its frozen base (a reference
    /// model that shares the base's weights, no second copy).</summary>
    public IDisposable Disabled()
    {
        var was = Enabled;
        Enabled = false;
        return new Restore(() => Enabled = was);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>
    /// Freezes <paramref name="model"/>'s parameters and wraps every Linear whose HF name matches a target. lora_A is drawn
    /// from <paramref name="generator"/> (module order), lora_B is zero. Throws <see cref="ArgumentException"/> when a target
    /// matches no linear layer. With <paramref name="scoreHead"/> (a reward or value model) the adapter also holds the
    /// model's "score.weight", trainable when <see cref="LoraConfig.TrainScoreHead"/>.
    /// </summary>
    public static LoraAdapter Apply(nn.Module model, string modelType, LoraConfig config, Generator? generator = null, bool scoreHead = false)
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

        Parameter? score = null;
        if (scoreHead)
        {
            score = model.named_parameters().FirstOrDefault(p => p.name == $"{ScoreHead}.weight").parameter;
            if (score is null)
            {
                foreach (var (_, _, _, layer) in layers) layer.Dispose();
                throw new ArgumentException($"this {modelType} model has no score head ({ScoreHead}.weight) for the adapter to hold");
            }
        }

        foreach (var p in model.parameters()) p.requires_grad = false;
        if (score is not null) score.requires_grad = config.TrainScoreHead;
        foreach (var (_, parent, field, layer) in layers) field.SetValue(parent, layer);
        return new LoraAdapter(config, modelType, layers, score);
    }

    /// <summary>Applies the adapter saved in <paramref name="adapterFolder"/> (PEFT layout) to <paramref name="model"/> and loads its weights.
    /// The adapter's own score head (modules_to_save) replaces the model's; <paramref name="trainScoreHead"/> decides whether it trains.</summary>
    public static LoraAdapter Load(nn.Module model, string modelType, string adapterFolder, bool trainScoreHead = false)
    {
        var config = LoraFiles.ReadConfig(adapterFolder) with { TrainScoreHead = trainScoreHead };
        var adapter = Apply(model, modelType, config, scoreHead: LoraFiles.ReadModulesToSave(adapterFolder).Contains(ScoreHead));
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
