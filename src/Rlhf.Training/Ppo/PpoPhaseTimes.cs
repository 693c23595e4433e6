using System.Diagnostics;

namespace Rlhf.Training.Ppo;

/// <summary>
/// Optional wall-clock split of PPO minibatch updates by phase (seconds summed over the minibatches), for
/// `rlhf bench ppo`. On CPU every torch call has finished when it returns, so laps are the phases' own times.
/// </summary>
public sealed class PpoPhaseTimes
{
    private readonly Stopwatch _clock = new();

    public Dictionary<string, double> Seconds { get; } = [];

    public void Start() => _clock.Restart();

    /// <summary>Adds the time since the last lap (or <see cref="Start"/>) to <paramref name="phase"/>.</summary>
    public void Lap(string phase)
    {
        Seconds[phase] = Seconds.GetValueOrDefault(phase) + _clock.Elapsed.TotalSeconds;
        _clock.Restart();
    }
}
