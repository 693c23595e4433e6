using Rlhf.Training.Text;

namespace Rlhf.Demo.Corpus;

/// <summary>One generated support conversation: a customer message and a reply (of any quality).</summary>
public sealed record DemoExample(string Prompt, string Reply)
{
    /// <summary>
    /// The training text: <see cref="ConversationTemplate.RenderWithResponse(string, string)"/> followed by
    /// "&lt;|endoftext|&gt;", i.e. "User: {prompt}\nAssistant: {reply}&lt;|endoftext|&gt;". The tokenizer turns the
    /// last part into the EOS id 50256, so the model learns to stop after a reply.
    /// </summary>
    public string Text => ConversationTemplate.RenderWithResponse(Prompt, Reply) + Gpt2Tokenizer.EndOfText;
}
