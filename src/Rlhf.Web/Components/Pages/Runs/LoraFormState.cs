using Rlhf.Training.Lora;

namespace Rlhf.Web.Components.Pages.Runs;

/// <summary>
/// What a run form's LoRA section (<see cref="LoraFields"/>) holds, starting from <see cref="LoraConfig"/>'s defaults;
/// <see cref="Config"/> is what goes into the run's settings (null: full fine-tuning).
/// </summary>
public sealed class LoraFormState
{
    private static readonly LoraConfig Defaults = new();

    public bool Enabled { get; set; }
    public int Rank { get; set; } = Defaults.Rank;
    public double Alpha { get; set; } = Defaults.Alpha;
    public double Dropout { get; set; } = Defaults.Dropout;
    public string Targets { get; set; } = "";
    public bool TrainScoreHead { get; set; }

    public LoraConfig? Config => Enabled
        ? new LoraConfig
        {
            Rank = Rank, Alpha = Alpha, Dropout = Dropout, TrainScoreHead = TrainScoreHead,
            TargetModules = Targets.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        }
        : null;
}
