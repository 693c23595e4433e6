using System.CommandLine;
using Rlhf.Data.Database;

namespace Rlhf.Cli.Commands;

/// <summary>Runs a command body and turns a known failure into one line on the error writer and exit code 1.</summary>
internal static class CliErrors
{
    public static async Task<int> RunAsync(ParseResult parseResult, Func<TextWriter, Task<int>> body)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            return await body(output);
        }
        catch (StartupConfigurationException ex)
        {
            await error.WriteLineAsync($"rlhf: {ex.Message}");
            return 1;
        }
    }
}
