using System.CommandLine;
using Rlhf.Training.Lora;

namespace Rlhf.Cli.Commands;

/// <summary>
/// The LoRA options every training command shares (`sft`, `train-reward`, `dpo`, `ppo`, `grpo`): --lora-r R turns LoRA
/// on (PEFT's r); --lora-alpha, --lora-dropout and --lora-targets (HF module names, comma-separated; default every
/// linear layer) shape it; `train-reward` also has --lora-train-score-head. Parsed and checked in one place
/// (<see cref="Read"/>); the settings' own checks are <see cref="LoraConfig.Problems"/>, reported with the trainer's.
/// </summary>
internal sealed class LoraOptions
{
    private static readonly LoraConfig Defaults = new();
    private readonly Option<int?> _rank = new("--lora-r") { Description = "Train a LoRA adapter of this rank on the frozen base instead of every weight." };
    private readonly Option<double> _alpha = new("--lora-alpha") { DefaultValueFactory = _ => Defaults.Alpha, Description = "LoRA alpha: the update is scaled by alpha / r." };
    private readonly Option<double> _dropout = new("--lora-dropout") { DefaultValueFactory = _ => Defaults.Dropout };
    private readonly Option<string?> _targets = new("--lora-targets") { Description = "HF module names, comma-separated (default: every linear layer), e.g. q_proj,v_proj." };
    private readonly Option<bool>? _scoreHead;

    /// <param name="scoreHead">Also --lora-train-score-head (a reward model's head trains beside the adapter).</param>
    public LoraOptions(bool scoreHead = false)
    {
        if (scoreHead) _scoreHead = new Option<bool>("--lora-train-score-head") { Description = "Train the score head too (PEFT's modules_to_save=[\"score\"])." };
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_rank);
        command.Options.Add(_alpha);
        command.Options.Add(_dropout);
        command.Options.Add(_targets);
        if (_scoreHead is not null) command.Options.Add(_scoreHead);
    }

    /// <summary>
    /// The LoRA settings (null without --lora-r), or <paramref name="problem"/>: a shaping option given without
    /// --lora-r. Range problems are the config's (<see cref="LoraConfig.Problems"/>), reported with the trainer's settings.
    /// </summary>
    public LoraConfig? Read(ParseResult parseResult, out string? problem)
    {
        problem = null;
        var rank = parseResult.GetValue(_rank);
        var targets = parseResult.GetValue(_targets);
        var scoreHead = _scoreHead is not null && parseResult.GetValue(_scoreHead);
        if (rank is null)
        {
            if (targets is not null || scoreHead || parseResult.GetResult(_alpha) is { Implicit: false } || parseResult.GetResult(_dropout) is { Implicit: false })
                problem = $"--lora-alpha, --lora-dropout, --lora-targets{(_scoreHead is null ? "" : " and --lora-train-score-head")} go with --lora-r R (the adapter's rank)";
            return null;
        }
        return new LoraConfig
        {
            Rank = rank.Value, Alpha = parseResult.GetValue(_alpha), Dropout = parseResult.GetValue(_dropout),
            TargetModules = targets?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [],
            TrainScoreHead = scoreHead,
        };
    }
}
