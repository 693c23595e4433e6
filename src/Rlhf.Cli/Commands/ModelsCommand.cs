using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Registry;
using Rlhf.Data.Audit;
using Rlhf.Jobs.Registry;

namespace Rlhf.Cli.Commands;

/// <summary>`rlhf models list` and `rlhf models import --path DIR --name N [--kind base|reward|policy]`.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var list = new Command("list", "List the registered models as JSON lines.");
        list.SetAction((parseResult, ct) => CliErrors.RunAsync(parseResult, output => CliHost.WithDatabaseAsync(async services =>
        {
            foreach (var m in await services.GetRequiredService<ModelRegistry>().ListAsync(ct))
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    id = m.Id, name = m.Name, kind = m.Kind.ToString().ToLowerInvariant(), model_type = m.ModelType, parent = m.ParentId, source = m.Source,
                    parameters = m.ParameterCount, size_bytes = m.SizeBytes, n_layer = m.NLayer, n_embd = m.NEmbd,
                    validation_accuracy = m.ValidationAccuracy,
                }));
            return 0;
        }, ct)));

        var path = new Option<DirectoryInfo>("--path") { Description = "A Hugging Face model folder (gpt2, llama, qwen2 or qwen3: config.json, model.safetensors or its sharded index, tokenizer files).", Required = true };
        var name = new Option<string>("--name") { Description = "A unique name in the registry.", Required = true };
        var kind = new Option<ModelKind>("--kind") { Description = "base, reward or policy.", DefaultValueFactory = _ => ModelKind.Base };
        var import = new Command("import", "Validate a local checkpoint folder of any supported family (any folder you can read: unlike the site, the CLI is not bound to Models:ImportRoot) and copy it into the registry.") { path, name, kind };
        import.SetAction((parseResult, ct) => CliErrors.RunAsync(parseResult, output => CliHost.WithDatabaseAsync(async services =>
        {
            var result = await services.GetRequiredService<ModelRegistry>().ImportAsync(
                parseResult.GetValue(path)!.FullName, parseResult.GetValue(name)!, parseResult.GetValue(kind), null, "import", null,
                "", new AuditActor(null, "cli"), ct);
            if (!result.Succeeded)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"rlhf: {result.Error}");
                return 1;
            }
            await output.WriteLineAsync($"Imported model {result.Model!.Id} '{result.Model.Name}' ({result.Model.ModelType}, {result.Model.ParameterCount:N0} parameters).");
            return 0;
        }, ct)));

        return new Command("models", "The model registry.") { list, import, ModelsMergeCommand.Create() };
    }
}
