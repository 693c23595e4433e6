namespace Rlhf.Demo.Corpus;

/// <summary>Builds customer messages and replies of every <see cref="DemoReplyStyle"/> from the topic pieces.</summary>
internal static class DemoReplies
{
    private static readonly string[] Greetings = ["Hi!", "Hello!", "Hi there!", "Good morning!", "Hello.", "", "", ""];

    private static readonly string[] NamedSignOffs = ["Thanks, {name}.", "Thank you, {name}.", "Best, {name}", "Regards, {name}"];

    private static readonly string[] PlainSignOffs = ["Thanks!", "Thank you.", "Thanks for your help."];

    private static readonly string[] NamedOpeners =
    [
        "Hi {name}, thank you for contacting us.", "Hello {name}, thanks for reaching out.", "Hi {name}!",
        "Dear {name}, thank you for your message.", "Hi {name}, thanks for getting in touch.",
    ];

    private static readonly string[] PlainOpeners =
    [
        "Hi there, thank you for contacting us.", "Hello, thanks for reaching out.", "Hi!", "Hello!",
        "Thanks for getting in touch.",
    ];

    private static readonly string[] Closers =
    [
        "Please let me know if there is anything else I can help with.", "Have a great day!", "Thanks for your patience.",
        "We are here if you need anything else.", "Thank you for shopping with us.", "I hope this helps.",
    ];

    private static readonly string[] AgentSignOffs = ["Best regards, {agent}", "Kind regards, {agent}", "Thanks, {agent}"];

    private static readonly string[] CurtReplies =
    [
        "We are looking into it.", "Thank you for your message.", "Please check our help centre.", "Noted.",
        "Please contact our support team.", "We have received your request.", "Ok.", "Thanks. Someone will get back to you.",
        "Please see our FAQ page.", "We will look into this.", "Thank you for your email. We will reply soon.",
    ];

    private static readonly string[] SalesPitches =
    [
        "Thanks for shopping with us! Our summer sale starts on {day}, with twenty percent off all {category}.",
        "Have you seen our new collection? The {colour} {other_product} is back in stock.",
        "Thank you for your feedback about our website. We are always trying to improve it.",
        "Did you know you can sign up for our newsletter and get ten percent off your next order?",
        "We are happy to tell you that we now offer free delivery on all orders over fifty dollars.",
        "Our new {other_product} has great reviews. You might like it!",
    ];

    private static readonly string[] Apologies =
    [
        "We are so sorry for the trouble.",
        "We deeply apologise for any inconvenience this may have caused.",
        "We understand how frustrating this must be, and we are truly sorry.",
        "Please accept our most sincere apologies.",
        "We really value you as a customer, and we are sorry that we let you down.",
        "Our whole team is very sorry about this situation.",
        "We are sorry, and we hope you can forgive us.",
        "We take this very seriously and we are so sorry.",
        "This is not the experience we want our customers to have, and we apologise.",
        "We are sorry for the stress this has caused you.",
    ];

    private static readonly string[] ApologyEndings =
        ["Once again, we apologise for the inconvenience.", "Again, we are very sorry.", "We are so sorry.", ""];

    private static readonly string[] Dismissals =
    [
        "You should have read our policy before ordering.",
        "This is not our problem.",
        "Please read the information on our website before you write to us.",
        "We cannot help with that.",
        "That is not our fault. Please contact the courier.",
        "You must have made a mistake when you ordered.",
        "We get a lot of messages like this. Please be patient.",
    ];

    /// <summary>
    /// The customer message: an optional greeting, the problem, an optional ask and an optional sign-off.
    /// Sets <see cref="DemoSlots.Signed"/> when the customer signs with their name.
    /// </summary>
    public static string CustomerMessage(Random random, DemoTopic topic, DemoSlots slots)
    {
        var parts = new List<string> { random.Pick(Greetings), random.Pick(topic.Messages), random.Pick(topic.Asks) };
        slots.Signed = false;
        if (random.Chance(0.45)) { parts.Add(random.Pick(NamedSignOffs)); slots.Signed = true; }
        else if (random.Chance(0.3)) parts.Add(random.Pick(PlainSignOffs));
        return Join(slots, parts);
    }

    /// <summary>A reply in the given style.</summary>
    public static string Reply(Random random, DemoReplyStyle style, DemoTopic topic, DemoSlots slots)
    {
        var parts = new List<string>();
        switch (style)
        {
            case DemoReplyStyle.Helpful:
                if (random.Chance(0.85)) parts.Add(Opener(random, slots));
                if (random.Chance(0.8)) parts.Add(random.Pick(topic.Acknowledgements));
                parts.Add(random.Pick(topic.Actions));
                if (random.Chance(0.7)) parts.Add(random.Pick(Closers));
                if (random.Chance(0.3)) parts.Add(random.Pick(AgentSignOffs));
                break;
            case DemoReplyStyle.Curt:
                parts.Add(random.Pick(CurtReplies));
                break;
            case DemoReplyStyle.OffTopic:
                if (random.Chance(0.5)) parts.Add(Opener(random, slots));
                if (random.Chance(0.5))
                {
                    parts.Add(random.Pick(SalesPitches));
                }
                else
                {
                    // A helpful-sounding answer to a different kind of request.
                    var other = random.PickOther(DemoTopics.All, topic);
                    if (other.Prepare is not null) other.Prepare(random, slots);
                    parts.Add(random.Pick(other.Actions));
                }
                if (random.Chance(0.5)) parts.Add(random.Pick(Closers));
                break;
            case DemoReplyStyle.OverApologetic:
                if (random.Chance(0.5)) parts.Add(Opener(random, slots));
                parts.AddRange(random.PickDistinct(Apologies, random.Next(4, 8)));
                if (random.Chance(0.4)) parts.Add(random.Pick(topic.Vague));
                parts.Add(random.Pick(ApologyEndings));
                break;
            case DemoReplyStyle.Vague:
                if (random.Chance(0.5)) parts.Add(Opener(random, slots));
                parts.Add(random.Pick(topic.Vague));
                if (random.Chance(0.4)) parts.Add(random.Pick(Closers));
                break;
            case DemoReplyStyle.Dismissive:
                parts.Add(random.Pick(Dismissals));
                if (random.Chance(0.5)) parts.Add(random.Pick(topic.Vague));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(style));
        }
        return Join(slots, parts);
    }

    /// <summary>
    /// Draws a reply style: about half the replies are helpful, the rest curt, off-topic, over-apologetic,
    /// vague or dismissive.
    /// </summary>
    public static DemoReplyStyle DrawStyle(Random random)
    {
        var x = random.NextDouble();
        return x switch
        {
            < 0.50 => DemoReplyStyle.Helpful,
            < 0.62 => DemoReplyStyle.Curt,
            < 0.74 => DemoReplyStyle.OffTopic,
            < 0.86 => DemoReplyStyle.OverApologetic,
            < 0.95 => DemoReplyStyle.Vague,
            _ => DemoReplyStyle.Dismissive,
        };
    }

    private static string Opener(Random random, DemoSlots slots)
        => random.Pick(slots.Signed ? NamedOpeners : PlainOpeners);

    private static string Join(DemoSlots slots, IEnumerable<string> parts)
        => slots.Fill(string.Join(" ", parts.Where(p => p.Length > 0)));
}
