namespace Rlhf.Demo.Corpus;

/// <summary>
/// One kind of support request: what customers write, and the pieces replies are built from.
/// Templates use the slots of <see cref="DemoSlots"/>. Acknowledgements and actions only name slots that
/// every message of the topic mentions (or that the agent could look up, like the amount).
/// </summary>
internal sealed record DemoTopic
{
    /// <summary>Short name, e.g. "late_order".</summary>
    public required string Key { get; init; }

    /// <summary>true: clothing only, false: other items only, null: either.</summary>
    public bool? Wearable { get; init; }

    /// <summary>The customer's description of the problem.</summary>
    public required string[] Messages { get; init; }

    /// <summary>What the customer asks for, appended after the message ("" = nothing).</summary>
    public required string[] Asks { get; init; }

    /// <summary>A good reply's first sentence after the greeting: shows the problem was understood.</summary>
    public required string[] Acknowledgements { get; init; }

    /// <summary>A good reply's concrete steps.</summary>
    public required string[] Actions { get; init; }

    /// <summary>On-topic but unhelpful replies.</summary>
    public required string[] Vague { get; init; }

    /// <summary>Sets topic-specific slots (the product question and its answer, the damage description).</summary>
    public Action<Random, DemoSlots>? Prepare { get; init; }
}
