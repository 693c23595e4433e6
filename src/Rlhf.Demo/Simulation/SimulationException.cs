namespace Rlhf.Demo.Simulation;

/// <summary>A simulated rater could not start (sign-in or invitation refused); the message says why.</summary>
public sealed class SimulationException(string message) : Exception(message);
