using System.CommandLine;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Lora;

namespace Rlhf.Cli.Commands;

/// <summary>
/// `rlhf models merge --base DIR --adapter DIR --out DIR`: PEFT's merge_and_unload on folders, the base with a LoRA
/// adapter's update added to its weights, written as a full model (HF layout, the base's tokenizer files) that loads and
/// imports like any other.
/// </summary>
internal static class ModelsMergeCommand
{
    public static Command Create()
    {
        var baseModel = new Option<DirectoryInfo>("--base") { Description = "The base model folder the adapter was trained on.", Required = true };
        var adapter = new Option<DirectoryInfo>("--adapter") { Description = "A LoRA adapter folder (adapter_config.json + adapter_model.safetensors).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write the merged model.", Required = true };
        var command = new Command("merge", "Merge a LoRA adapter into its base model's weights.") { baseModel, adapter, output };
        command.SetAction((parseResult, ct) => CliErrors.RunAsync(parseResult, async stdout =>
        {
            var outFolder = parseResult.GetValue(output)!.FullName;
            try
            {
                LoraMerge.Merge(parseResult.GetValue(baseModel)!.FullName, parseResult.GetValue(adapter)!.FullName, outFolder);
            }
            catch (Exception ex) when (ex is CheckpointException or ArgumentException)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"rlhf: {ex.Message}");
                return 1;
            }
            await stdout.WriteLineAsync($"Merged into {outFolder}.");
            return 0;
        }));
        return command;
    }
}
