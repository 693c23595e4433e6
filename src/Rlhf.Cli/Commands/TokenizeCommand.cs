namespace Rlhf.Cli.Commands;

using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Rlhf.Training.Text;

/// <summary>
/// `rlhf tokenize --model DIR --text T` prints {"ids":[...]}: the ids of tokenizer(T), with the special tokens the
/// tokenizer's post-processor adds (e.g. Llama 3's &lt;|begin_of_text|&gt;).
/// `rlhf tokenize --model DIR --messages FILE.json [--generation-prompt]` prints {"ids":[...],"text":"..."}: the
/// conversation rendered with the model's chat template, as apply_chat_template, and its ids.
/// DIR holds tokenizer.json (+ tokenizer_config.json) or is a GPT-2 checkpoint. Exit codes: 0 ok, 1 model/tokenizer
/// error, 2 bad input.
/// </summary>
internal static class TokenizeCommand
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model")
        {
            Description = "Model folder: tokenizer.json (+ tokenizer_config.json), or a GPT-2 checkpoint.",
            Required = true,
        };
        var text = new Option<string>("--text") { Description = "Text to tokenize (special tokens added as the tokenizer does)." };
        var messages = new Option<FileInfo>("--messages") { Description = "JSON file: an array of {\"role\",\"content\"} messages to render with the model's chat template." };
        var generationPrompt = new Option<bool>("--generation-prompt") { Description = "With --messages: end with the cue for the assistant's reply (add_generation_prompt)." };
        var command = new Command("tokenize", "Print the token ids of a text, or of a conversation rendered with the model's chat template.")
        {
            model, text, messages, generationPrompt,
        };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var textValue = parseResult.GetValue(text);
            var messagesFile = parseResult.GetValue(messages);
            var withPrompt = parseResult.GetValue(generationPrompt);

            if (ReadInput(textValue, messagesFile, withPrompt, out var conversation) is string usage)
            {
                error.WriteLine($"rlhf: {usage}");
                return 2;
            }

            try
            {
                var loaded = ModelTokenizer.Load(parseResult.GetValue(model)!.FullName);
                if (conversation is null)
                {
                    output.WriteLine(ToJson(loaded.Tokenizer.Encode(textValue!, addSpecialTokens: true), null));
                    return 0;
                }
                var (rendered, ids) = loaded.EncodeChat(conversation, withPrompt);
                output.WriteLine(ToJson(ids, rendered));
                return 0;
            }
            catch (TokenizerException e)
            {
                error.WriteLine($"rlhf: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Null when the options make sense (exactly one of --text / --messages), else why not.</summary>
    private static string? ReadInput(string? text, FileInfo? messagesFile, bool generationPrompt, out ChatMessage[]? conversation)
    {
        conversation = null;
        if (text is not null && messagesFile is not null) return "give either --text or --messages, not both.";
        if (text is null && messagesFile is null) return "give --text or --messages.";
        if (text is not null) return generationPrompt ? "--generation-prompt goes with --messages, not --text." : null;
        if (!messagesFile!.Exists) return $"--messages: file '{messagesFile.FullName}' does not exist.";
        try
        {
            conversation = ChatMessageJson.Parse(File.ReadAllText(messagesFile.FullName));
            return null;
        }
        catch (FormatException e)
        {
            return $"--messages: {messagesFile.Name}: {e.Message}";
        }
    }

    private static string ToJson(int[] ids, string? text)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteStartArray("ids");
            foreach (var id in ids) json.WriteNumberValue(id);
            json.WriteEndArray();
            if (text is not null) json.WriteString("text", text);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
