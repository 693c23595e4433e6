namespace Rlhf.Demo.Corpus;

/// <summary>How a generated reply is written. Not written into the corpus text (the corpus labels nothing).</summary>
internal enum DemoReplyStyle
{
    /// <summary>Polite, specific to the customer's problem, with concrete next steps.</summary>
    Helpful,
    /// <summary>Short and generic: "We are looking into it."</summary>
    Curt,
    /// <summary>Answers something else: a sales pitch or another topic's reply.</summary>
    OffTopic,
    /// <summary>Long, repeated apologies and little or no action.</summary>
    OverApologetic,
    /// <summary>On topic but unhelpful.</summary>
    Vague,
    /// <summary>Blames the customer.</summary>
    Dismissive,
}
