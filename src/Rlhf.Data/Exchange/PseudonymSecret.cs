using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Rlhf.Data.Database;
using Rlhf.Data.Hosting;

namespace Rlhf.Data.Exchange;

/// <summary>
/// The per-installation key of <see cref="RaterPseudonyms"/>: the setting <c>Pseudonyms:Secret</c> (base64, at least
/// 32 bytes) when given, else the file <c>Pseudonyms:SecretFile</c> (default <c>rater-pseudonyms.key</c> in the data
/// folder, next to the database), made with a CSPRNG the first time it is needed and readable by its owner only. The
/// secret is never logged; an error names the setting or file, never the value. Losing the file changes every
/// pseudonym; copy it with the database.
/// </summary>
public static class PseudonymSecret
{
    public const int MinimumBytes = 32;
    public const string SecretSetting = "Pseudonyms:Secret";
    public const string FileSetting = "Pseudonyms:SecretFile";
    public const string DefaultFileName = "rater-pseudonyms.key";

    /// <exception cref="StartupConfigurationException">The setting or the file holds no valid secret, or the file cannot be made.</exception>
    public static byte[] Load(IConfiguration configuration, RlhfPaths paths)
    {
        if (configuration[SecretSetting] is { Length: > 0 } configured)
            return Decode(configured) ?? throw new StartupConfigurationException(
                $"Setting {SecretSetting} must be base64 of at least {MinimumBytes} random bytes (e.g. `openssl rand -base64 32`).");
        var file = configuration[FileSetting] is { Length: > 0 } f ? Path.GetFullPath(f, paths.ContentRoot) : Path.Combine(paths.DataFolder, DefaultFileName);
        return ReadOrCreate(file);
    }

    /// <summary>The secret in the file, or a new one written there (atomically: a concurrent start reads the winner's).</summary>
    public static byte[] ReadOrCreate(string file)
    {
        try
        {
            if (!File.Exists(file))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                var temporary = $"{file}.{Guid.NewGuid():N}.tmp";
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using (var writer = new StreamWriter(temporary, options))
                    writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinimumBytes)));
                try { File.Move(temporary, file, overwrite: false); }
                catch (IOException) when (File.Exists(file)) { File.Delete(temporary); }
            }
            return Decode(File.ReadAllText(file)) ?? throw new StartupConfigurationException(
                $"The pseudonym secret file '{file}' ({FileSetting}) does not hold base64 of at least {MinimumBytes} bytes; restore it from a backup or delete it (every pseudonym then changes).");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupConfigurationException($"The pseudonym secret file '{file}' ({FileSetting}) cannot be read or made: {ex.Message}", ex);
        }
    }

    private static byte[]? Decode(string text)
    {
        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text.Trim(), bytes, out var n) && n >= MinimumBytes ? bytes[..n] : null;
    }
}
