namespace Rlhf.Data.Database;

/// <summary>
/// A setting that stops start-up: its message is one line that names the setting and what is wrong with it.
/// </summary>
public sealed class StartupConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
