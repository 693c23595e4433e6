using System.Globalization;
using Rlhf.Training.Checkpoints;

namespace Rlhf.Training.Lora;

/// <summary>
/// A LoRA adapter's shape, as PEFT's LoraConfig names it: rank r, lora_alpha (the update is scaled by alpha / r, or
/// alpha / sqrt(r) with rsLoRA), lora_dropout (on the adapter's input, training only) and target_modules, the Hugging
/// Face names of the Linear layers to adapt (a layer matches when its name is the target or ends with "." + target).
/// Empty targets mean every linear layer of the family but the LM head (<see cref="AllLinear"/>).
/// The CLI option of each setting is named in <see cref="Problems"/>.
/// </summary>
public sealed record LoraConfig
{
    /// <summary>--lora-r: the rank of the update B A.</summary>
    public int Rank { get; init; } = 16;

    /// <summary>--lora-alpha: the update is scaled by alpha / r.</summary>
    public double Alpha { get; init; } = 32;

    /// <summary>--lora-dropout: dropout on the adapter's input while training.</summary>
    public double Dropout { get; init; }

    /// <summary>--lora-targets: HF module names (q_proj, v_proj, ...; GPT-2's c_attn, c_proj, c_fc); empty = all linear layers.</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = [];

    /// <summary>PEFT's use_rslora: scale by alpha / sqrt(r) instead of alpha / r.</summary>
    public bool UseRsLora { get; init; }

    /// <summary>
    /// --lora-train-score-head: a reward or value model's score head trains beside the adapters (PEFT's
    /// modules_to_save=["score"]). The head is saved in the adapter file either way (a base LM has none).
    /// </summary>
    public bool TrainScoreHead { get; init; }

    /// <summary>The factor the update B A x is multiplied by.</summary>
    public double Scaling => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>Every linear layer of a family but the LM head: what empty targets mean (PEFT's "all-linear").</summary>
    public static IReadOnlyList<string> AllLinear(string modelType) => modelType == "gpt2"
        ? ["c_attn", "c_proj", "c_fc"]
        : ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>The targets this config adapts in a model of <paramref name="modelType"/>.</summary>
    public IReadOnlyList<string> TargetsFor(string modelType) => TargetModules.Count > 0 ? TargetModules : AllLinear(modelType);

    /// <summary>Every problem, each with the property and the CLI option it belongs to; empty when usable.</summary>
    public IReadOnlyList<ConfigProblem> Problems()
    {
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        var problems = new List<ConfigProblem>();
        if (Rank < 1) problems.Add(new(nameof(Rank), "--lora-r", $"must be >= 1 (got {Rank})"));
        if (!(Alpha > 0) || double.IsInfinity(Alpha)) problems.Add(new(nameof(Alpha), "--lora-alpha", $"must be > 0 (got {F(Alpha)})"));
        if (!(Dropout is >= 0 and < 1)) problems.Add(new(nameof(Dropout), "--lora-dropout", $"must be >= 0 and < 1 (got {F(Dropout)})"));
        foreach (var t in TargetModules)
            if (string.IsNullOrWhiteSpace(t) || t.Any(char.IsWhiteSpace))
                problems.Add(new(nameof(TargetModules), "--lora-targets", $"must be module names separated by commas, e.g. q_proj,v_proj (got \"{t}\")"));
        return problems;
    }

    /// <summary>" (LoRA r=16, alpha 32, merged)" for a run's description; "" for full fine-tuning.</summary>
    public static string Describe(LoraConfig? lora) =>
        lora is null ? "" : $" (LoRA r={lora.Rank}, alpha {lora.Alpha.ToString("G4", CultureInfo.InvariantCulture)}{(lora.TrainScoreHead ? ", score head trained" : "")}, merged)";

    /// <summary>The settings a checkpoint of a run with <paramref name="lora"/> (null: full fine-tuning) must share, PEFT's names.</summary>
    public static IReadOnlyList<CheckpointSetting> SettingsOf(LoraConfig? lora) =>
    [
        CheckpointSetting.Of("lora_r", lora?.Rank, null), CheckpointSetting.Of("lora_alpha", lora?.Alpha, null),
        CheckpointSetting.Of("lora_dropout", lora?.Dropout, null), CheckpointSetting.Of("use_rslora", lora?.UseRsLora, null),
        CheckpointSetting.Of("target_modules", lora is null ? null : string.Join(",", lora.TargetModules), null),
        CheckpointSetting.Of("lora_train_score_head", lora?.TrainScoreHead == true ? true : (bool?)null, null),
    ];

    /// <summary>This config's problems with their setting under <paramref name="prefix"/> ("Lora.Rank"), added to <paramref name="problems"/>.</summary>
    public static void AddProblems(List<ConfigProblem> problems, LoraConfig? lora, string prefix = "Lora")
    {
        if (lora is not null) problems.AddRange(lora.Problems().Select(p => p with { Setting = $"{prefix}.{p.Setting}" }));
    }
}
