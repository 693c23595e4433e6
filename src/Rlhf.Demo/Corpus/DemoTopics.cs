namespace Rlhf.Demo.Corpus;

/// <summary>The support topics of the demo corpus.</summary>
internal static class DemoTopics
{
    private sealed record ProductQuestion(string Product, bool Wearable, string Question, string Answer);

    private static readonly ProductQuestion[] Questions =
    [
        new("rain jacket", true, "Is the rain jacket waterproof?",
            "Yes, the rain jacket is fully waterproof and has taped seams, so it will keep you dry in heavy rain."),
        new("backpack", false, "Will a fifteen inch laptop fit in the backpack?",
            "Yes, the backpack has a padded sleeve that fits laptops up to sixteen inches."),
        new("kettle", false, "How long is the warranty on the kettle?",
            "The kettle comes with a two year warranty, and you can register it on our website."),
        new("wool sweater", true, "Can I wash the wool sweater in the machine?",
            "Yes, you can wash the wool sweater on a cold wool cycle. Please lay it flat to dry so it keeps its shape."),
        new("water bottle", false, "Does the water bottle keep drinks cold?",
            "Yes, the water bottle is insulated and keeps drinks cold for up to twenty four hours."),
        new("phone case", false, "Does the phone case work with wireless charging?",
            "Yes, the phone case is thin enough for wireless charging, so you do not need to take it off."),
        new("blender", false, "Can the blender crush ice?",
            "Yes, the blender has a strong motor and an ice setting, so it crushes ice easily."),
        new("desk lamp", false, "Can I change the brightness of the desk lamp?",
            "Yes, the desk lamp has five brightness levels and a warm light setting."),
        new("yoga mat", false, "How thick is the yoga mat?",
            "The yoga mat is six millimetres thick and has a non-slip surface on both sides."),
        new("bluetooth speaker", false, "How long does the battery of the bluetooth speaker last?",
            "The bluetooth speaker plays for about twelve hours on a full charge."),
        new("winter coat", true, "Is the winter coat warm enough for snow?",
            "Yes, the winter coat is filled with recycled down and keeps you warm well below freezing."),
        new("coffee grinder", false, "Is the coffee grinder loud?",
            "The coffee grinder is quite quiet. It is about as loud as a normal conversation."),
        new("travel mug", false, "Is the travel mug safe for the dishwasher?",
            "Yes, the travel mug is dishwasher safe. We recommend washing the lid on the top rack."),
        new("hoodie", true, "Does the hoodie shrink in the wash?",
            "The hoodie is pre-washed, so it will not shrink if you wash it at thirty degrees."),
    ];

    private static readonly string[] ItemDamage =
    [
        "The box was crushed and there is a crack on the side.",
        "One of the parts is cracked.",
        "It has a deep scratch and a dent on the top.",
        "It does not turn on at all.",
        "The handle came off when I took it out of the box.",
    ];

    private static readonly string[] WearableDamage =
    [
        "There is a tear near the seam.",
        "There is a large stain on the front.",
        "The stitching has come apart on one side.",
        "There is a hole in the left sleeve.",
    ];

    public static readonly DemoTopic[] All =
    [
        new()
        {
            Key = "late_order",
            Messages =
            [
                "My order {order} was supposed to arrive on {day}, but it still has not come.",
                "I ordered a {colour} {product} {duration} ago and it has not arrived yet. The order number is {order}.",
                "Where is my order? It is {order} and the tracking page has not changed for {duration}.",
                "My package is late. Order {order} should have been delivered on {day}.",
            ],
            Asks = ["Can you tell me where it is?", "When will it arrive?", "Can you check what happened?", "I need it soon.", "", ""],
            Acknowledgements =
            [
                "I am sorry that your order {order} is late.",
                "I checked order {order}, and I can see that the package was held up at our warehouse.",
                "Thank you for your patience with order {order}.",
            ],
            Actions =
            [
                "I have asked the courier to prioritise it, and it should reach you within two business days. I will send you the new tracking link by email today.",
                "The courier now expects to deliver it on {next_day}. If it has not arrived by then, reply to this message and I will send a replacement free of charge.",
                "I have refunded the shipping cost to your {payment}, and the package should arrive by {next_day}.",
                "It left our warehouse this morning, and you will receive a tracking email within the hour. Delivery is expected on {next_day}.",
            ],
            Vague =
            [
                "Deliveries can take longer than expected sometimes.",
                "Please check the tracking page for updates.",
                "Your order is on its way.",
                "Shipping times can vary.",
            ],
        },
        new()
        {
            Key = "damaged_item",
            Messages =
            [
                "The {product} I ordered arrived damaged. {damage}",
                "My {colour} {product} came today and it is damaged. {damage}",
                "I just opened order {order} and the {product} is damaged. {damage}",
            ],
            Asks = ["What can I do?", "I would like a replacement.", "Can I get a refund?", "This was meant to be a gift.", ""],
            Acknowledgements =
            [
                "I am very sorry that your {product} arrived damaged.",
                "Thank you for letting us know about the damaged {product}, and I am sorry about this.",
                "I am sorry the {product} was not in perfect condition.",
            ],
            Actions =
            [
                "I have sent a replacement {product} today at no cost, and you do not need to return the damaged one.",
                "I have emailed you a prepaid return label. As soon as the courier picks up the {product}, I will send you a new one.",
                "I have issued a full refund of {amount} to your {payment}. You should see it within three to five business days.",
                "Could you send us a photo of the damage? As soon as we have it, I will ship a new {product} the same day.",
            ],
            Vague =
            [
                "Please send the item back and we will see what we can do.",
                "Damage can happen during shipping.",
                "We check every item before it leaves our warehouse.",
            ],
            Prepare = (random, slots) =>
                slots.Damage = random.Pick(slots.Wearable ? WearableDamage : ItemDamage),
        },
        new()
        {
            Key = "refund_status",
            Messages =
            [
                "I returned the {colour} {product} {duration} ago, and I still have not received my refund of {amount}.",
                "When will I get my refund for order {order}? I sent the {product} back {duration} ago.",
                "I sent back the {product} {duration} ago. Where is my refund?",
            ],
            Asks = ["Can you check on it?", "Please let me know when it will be paid.", "I have been waiting long enough.", ""],
            Acknowledgements =
            [
                "I am sorry for the wait on your refund for the {product}.",
                "Thank you for your patience with the refund for your {product}.",
            ],
            Actions =
            [
                "I can see that we received the {product} at our warehouse. I have approved the refund of {amount} today, and it should appear on your {payment} within five business days.",
                "Our returns team has now processed it, and the refund of {amount} was sent to your {payment} this morning. Banks usually take two to three days to show it.",
                "The return was marked as received on {day}, and I have just released the refund of {amount}. You will get a confirmation email shortly.",
            ],
            Vague =
            [
                "Refunds are processed in the order we receive them.",
                "Please wait a few more days.",
                "Refunds can take some time.",
            ],
        },
        new()
        {
            Key = "password_reset",
            Messages =
            [
                "I cannot log in to my account. The password reset email never arrives.",
                "I forgot my password and the reset link is not working.",
                "Every time I try to reset my password, the page says the link has expired.",
                "I am locked out of my account after too many login attempts.",
            ],
            Asks = ["How can I get back in?", "Can you help me?", "I need to check my orders.", ""],
            Acknowledgements =
            [
                "I am sorry you are having trouble getting into your account.",
                "Thanks for letting us know about the problem with your password.",
            ],
            Actions =
            [
                "I have sent a new reset link to the email address on your account. It is valid for one hour, so please use it soon. If you do not see it, check your spam folder.",
                "I have unlocked your account. Please go to the sign in page, click Forgot password, and choose a new password with at least ten characters.",
                "Our reset emails were delayed earlier today, but the problem is fixed. I have sent you a fresh link that will work for the next hour.",
            ],
            Vague =
            [
                "Please try again later.",
                "Make sure you are typing the right password.",
                "Password problems are usually caused by the browser.",
            ],
        },
        new()
        {
            Key = "wrong_size",
            Wearable = true,
            Messages =
            [
                "I ordered the {product} in {size}, but the one you sent is {other_size}.",
                "The {colour} {product} I received is the wrong size. I asked for {size} and got {other_size}.",
                "My order {order} has the wrong size. The label says {other_size}, but I ordered {size}.",
            ],
            Asks = ["Can you exchange it?", "I need the right size before {day}.", "How do I swap it?", ""],
            Acknowledgements =
            [
                "I am sorry that we sent the wrong size.",
                "Sorry about the mix-up with the size of your {product}.",
            ],
            Actions =
            [
                "I have sent you a new {product} in {size} today, and I have emailed you a prepaid label so you can return the other one at no cost.",
                "A {product} in {size} is on its way to you and should arrive in two to three business days. You can keep the {other_size} one.",
                "I have reserved a {product} in {size} for you. Please drop the wrong one at any post office with the label I have emailed you, and we will ship the new one right away.",
            ],
            Vague =
            [
                "Please check our size chart.",
                "Sizes can vary between brands.",
                "You can return items within thirty days.",
            ],
        },
        new()
        {
            Key = "billing",
            Messages =
            [
                "I was charged twice for order {order}. Both charges are {amount}.",
                "There is a charge of {amount} on my {payment} that I do not recognise.",
                "Why was I charged {amount} when the price on the website was lower?",
                "My {payment} was charged {amount} for order {order}, but I cancelled that order.",
            ],
            Asks = ["Can you fix this?", "I would like my money back.", "Please explain.", ""],
            Acknowledgements =
            [
                "I am sorry for the confusion about the charge of {amount}.",
                "Thank you for telling us about the charge of {amount}.",
            ],
            Actions =
            [
                "I checked your account and found the extra charge. I have refunded {amount} to your {payment}, and it should be back within three to five business days.",
                "The charge is a temporary hold from your bank that will disappear within two days. If it is still there on {next_day}, reply here and I will refund it straight away.",
                "You were right, the price should have been lower. I have refunded the difference to your {payment} and sent you a receipt by email.",
            ],
            Vague =
            [
                "Please check with your bank.",
                "All our charges are correct.",
                "Billing questions can take a while to answer.",
            ],
        },
        new()
        {
            Key = "cancel_subscription",
            Messages =
            [
                "How do I cancel my {plan}? I do not want it to renew next month.",
                "Please cancel my {plan}. I am not using it anymore.",
                "I tried to cancel my {plan} in the app, but I cannot find the button.",
            ],
            Asks = ["Thanks for your help.", "Please confirm when it is done.", ""],
            Acknowledgements =
            [
                "I am sorry to see you go.",
                "Thanks for letting us know that you want to cancel your {plan}.",
            ],
            Actions =
            [
                "I have cancelled your {plan}, so it will not renew. You can keep using it until the end of the current billing period, and I have sent a confirmation to your email.",
                "You can cancel it yourself under Account, then Subscriptions, then Cancel plan. I have also cancelled it for you now, so you will not be charged again.",
                "Your {plan} is now cancelled and you will not be charged again. If you change your mind, you can restart it at any time from your account page.",
            ],
            Vague =
            [
                "You can manage your plan in the app.",
                "Are you sure? Our plans are great value.",
                "Subscriptions renew automatically.",
            ],
        },
        new()
        {
            Key = "product_question",
            Messages =
            [
                "{question}",
                "I have a question about the {product}. {question}",
                "Before I order, I would like to know something. {question}",
            ],
            Asks = ["Thanks in advance.", "I want to buy it as a gift.", "", ""],
            Acknowledgements =
            [
                "Thanks for your interest in the {product}.",
                "Great question about the {product}.",
            ],
            Actions =
            [
                "{answer}",
                "{answer} If you order before {day}, it will arrive within three business days.",
                "{answer} It is also in stock in {colour} right now.",
            ],
            Vague =
            [
                "Please read the product page.",
                "All our products are high quality.",
                "It depends on how you use it.",
            ],
            Prepare = (random, slots) =>
            {
                var q = random.Pick(Questions);
                slots.Product = q.Product;
                slots.Wearable = q.Wearable;
                slots.Question = q.Question;
                slots.Answer = q.Answer;
            },
        },
        new()
        {
            Key = "change_address",
            Messages =
            [
                "I need to change the delivery address for order {order}. I moved last week.",
                "Can I send order {order} to my work address instead?",
                "I made a mistake in my address for order {order}. The house number is wrong.",
            ],
            Asks = ["Is that still possible?", "Please let me know.", ""],
            Acknowledgements =
            [
                "Thanks for letting us know about the address for order {order}.",
                "No problem, I can help with the address for order {order}.",
            ],
            Actions =
            [
                "The order has not shipped yet. Please reply with the full new address, and I will update it before it leaves our warehouse tomorrow.",
                "The order has already left our warehouse, so I have asked the courier to change the address. You will get a new tracking email today.",
                "I have put the order on hold so it does not ship to the old address. Please reply with the correct address and I will release it straight away.",
            ],
            Vague =
            [
                "Addresses cannot always be changed.",
                "Please make sure your address is correct when you order.",
            ],
        },
        new()
        {
            Key = "missing_item",
            Messages =
            [
                "My order {order} arrived today, but the {product} was missing from the box.",
                "I received my package, but there was no {product} inside, only the packing paper.",
                "Only part of my order arrived. The {colour} {product} is missing.",
            ],
            Asks = ["Can you send it?", "What should I do?", ""],
            Acknowledgements =
            [
                "I am sorry that the {product} was missing from your package.",
                "Thank you for telling us that the {product} was not in the box.",
            ],
            Actions =
            [
                "I have shipped the missing {product} today by express delivery, and you will get a tracking number by email.",
                "The {product} was sent in a separate package. It should arrive by {next_day}. If it does not, I will send a new one right away.",
                "I have refunded {amount} for the {product} to your {payment}. If you would still like one, I can send it today instead.",
            ],
            Vague =
            [
                "Please look in the box again.",
                "Sometimes items are sent separately.",
            ],
        },
        new()
        {
            Key = "discount_code",
            Messages =
            [
                "The discount code {code} is not working at checkout.",
                "I tried to use the code {code}, but the website says it is invalid.",
                "Why can I not use the code {code} on my order?",
            ],
            Asks = ["Can you help?", "I would like to order today.", ""],
            Acknowledgements =
            [
                "I am sorry that the code {code} did not work for you.",
                "Thanks for letting us know about the code {code}.",
            ],
            Actions =
            [
                "The code {code} expired on {day}, but I have applied the same discount to your account, so you can check out now.",
                "The code only works on full price items. I have emailed you a new code that works on everything in your cart.",
                "There was a problem with the code on our side, and it is fixed now. Please try {code} again, and reply here if it still does not work.",
            ],
            Vague =
            [
                "Codes are valid for a limited time.",
                "Please read the terms of the promotion.",
            ],
        },
        new()
        {
            Key = "wrong_colour",
            Messages =
            [
                "I ordered a {colour} {product}, but I received a {other_colour} one.",
                "The {product} in order {order} is the wrong colour. It should be {colour}, not {other_colour}.",
            ],
            Asks = ["Can you send the right one?", "How can I exchange it?", ""],
            Acknowledgements =
            [
                "I am sorry that you received the wrong colour.",
                "Sorry about the mix-up with your {product}.",
            ],
            Actions =
            [
                "I have sent you a {colour} {product} today, and the prepaid return label for the {other_colour} one is in your email.",
                "A {colour} {product} will reach you within three business days. There is no need to return the {other_colour} one.",
            ],
            Vague =
            [
                "Colours can look different on a screen.",
                "Please check your order confirmation.",
            ],
        },
    ];
}
