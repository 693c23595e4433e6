using System.Globalization;
using System.Text.RegularExpressions;

namespace Rlhf.Demo.Corpus;

/// <summary>
/// The slot values of one generated conversation (customer name, product, colour, order number...) and
/// the word lists they are drawn from. Templates name slots in braces: "Order {order} is late."
/// </summary>
internal sealed partial class DemoSlots
{
    public static readonly string[] Names =
    [
        "Anna", "Ben", "Carlos", "Dana", "Emma", "Farid", "Grace", "Hugo", "Isla", "Jonas", "Kate", "Liam",
        "Maya", "Noah", "Olivia", "Priya", "Sam", "Tara", "Omar", "Lena", "Marco", "Sofia", "Daniel", "Chloe",
    ];

    public static readonly string[] Agents = ["Alex", "Jamie", "Robin", "Chris", "Morgan", "Taylor", "Jordan", "Casey"];

    /// <summary>Clothing: these have sizes.</summary>
    public static readonly string[] Wearables =
        ["rain jacket", "wool sweater", "hoodie", "summer dress", "denim jacket", "winter coat", "linen shirt", "fleece vest"];

    public static readonly string[] Items =
    [
        "coffee grinder", "desk lamp", "backpack", "water bottle", "phone case", "blender", "kettle", "yoga mat",
        "travel mug", "bluetooth speaker", "laptop stand", "wall clock",
    ];

    public static readonly string[] Colours = ["red", "blue", "black", "green", "grey", "white", "navy", "yellow"];

    public static readonly string[] Sizes = ["small", "medium", "large", "extra large"];

    public static readonly string[] Days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    public static readonly string[] Durations = ["three days", "five days", "a week", "ten days", "two weeks"];

    public static readonly string[] Prices =
        ["19.99", "24.99", "29.99", "34.50", "39.99", "49.99", "59.00", "64.95", "79.99", "89.99"];

    public static readonly string[] Plans = ["monthly subscription", "annual membership", "premium plan", "family plan"];

    public static readonly string[] Payments = ["credit card", "debit card", "PayPal account"];

    public static readonly string[] Codes = ["SPRING20", "WELCOME10", "SAVE15", "FREESHIP"];

    public static readonly string[] Categories = ["jackets", "kitchen items", "bags", "shoes", "home goods"];

    public required string Name { get; init; }
    public required string Agent { get; init; }
    public required string Product { get; set; }
    public required bool Wearable { get; set; }
    public required string OtherProduct { get; init; }
    public required string Colour { get; init; }
    public required string OtherColour { get; init; }
    public required string Size { get; init; }
    public required string OtherSize { get; init; }
    public required string Day { get; init; }
    public required string NextDay { get; init; }
    public required string Duration { get; init; }
    public required string Amount { get; init; }
    public required string Order { get; init; }
    public required string Plan { get; init; }
    public required string Payment { get; init; }
    public required string Code { get; init; }
    public required string Category { get; init; }

    /// <summary>Set by the product-question topic.</summary>
    public string Question { get; set; } = "";

    /// <summary>Set by the product-question topic: the correct answer.</summary>
    public string Answer { get; set; } = "";

    /// <summary>A damage description that fits the product; set by the damaged-item topic.</summary>
    public string Damage { get; set; } = "";

    /// <summary>Whether the customer signed the message with their name (a good reply then greets them by name).</summary>
    public bool Signed { get; set; }

    public static DemoSlots Draw(Random random, bool wearable)
    {
        var dayIndex = random.Next(Days.Length - 2);
        var size = random.Pick(Sizes);
        var colour = random.Pick(Colours);
        var product = random.Pick(wearable ? Wearables : Items);
        return new DemoSlots
        {
            Name = random.Pick(Names),
            Agent = random.Pick(Agents),
            Product = product,
            Wearable = wearable,
            OtherProduct = random.PickOther(Items, product),
            Colour = colour,
            OtherColour = random.PickOther(Colours, colour),
            Size = size,
            OtherSize = random.PickOther(Sizes, size),
            Day = Days[dayIndex],
            NextDay = Days[dayIndex + 2],
            Duration = random.Pick(Durations),
            Amount = "$" + random.Pick(Prices),
            Order = "#" + random.Next(10000, 100000).ToString(CultureInfo.InvariantCulture),
            Plan = random.Pick(Plans),
            Payment = random.Pick(Payments),
            Code = random.Pick(Codes),
            Category = random.Pick(Categories),
        };
    }

    /// <summary>Replaces every {slot} of <paramref name="template"/>; an unknown slot name is a bug and throws.</summary>
    public string Fill(string template) => SlotPattern().Replace(template, m => m.Groups[1].Value switch
    {
        "name" => Name,
        "agent" => Agent,
        "product" => Product,
        "other_product" => OtherProduct,
        "colour" => Colour,
        "other_colour" => OtherColour,
        "size" => Size,
        "other_size" => OtherSize,
        "day" => Day,
        "next_day" => NextDay,
        "duration" => Duration,
        "amount" => Amount,
        "order" => Order,
        "plan" => Plan,
        "payment" => Payment,
        "code" => Code,
        "category" => Category,
        "question" => Question,
        "answer" => Answer,
        "damage" => Damage,
        var other => throw new InvalidOperationException($"unknown slot {{{other}}} in template \"{template}\""),
    });

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex SlotPattern();
}
