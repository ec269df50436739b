"""Word lists and text templates for the demo data set.

Own lists rather than Faker: the output must not change when a library upgrade
changes its providers, because benchmarks and the determinism test depend on it.
Every address uses the reserved `.example` / `.test` top-level domains, so a demo
instance with real SMTP configured can never mail a real person.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Olivia Liam Emma Noah Amelia Oliver Ava Elijah Sophia Lucas Isabella Mateo Mia Levi Charlotte "
    "Ethan Harper James Evelyn Benjamin Aria Henry Luna Jack Ella Sebastian Chloe Daniel Nora "
    "Samuel Zoe Leo Hannah Owen Layla Gabriel Lily Julian Aurora Ezra Grace Isaac Stella Aaron "
    "Maya Thomas Sarah Adam Anna Ruby Finn Freya Oscar Alice Hugo Clara Felix Emilia Max Lea Paul "
    "Marie Jonas Sophie Lukas Lena Elias Mila Ben Ida Theo Nina Anton Greta Louis Camille Jules "
    "Manon Gabrielle Raphael Chiara Lorenzo Giulia Matteo Francesca Marco Elena Pablo Lucia Diego "
    "Carmen Javier Ines Alejandro Valentina Joao Beatriz Tiago Aisha Omar Fatima Yusuf Leila Karim "
    "Amira Hassan Zainab Priya Arjun Ananya Rohan Divya Vikram Meera Sanjay Kavya Wei Mei Jun Lan "
    "Hiroshi Yuki Haruto Sakura Min-jun Seo-yeon Ji-woo Kwame Ama Kofi Chiamaka Emeka Ngozi Tunde "
    "Amara Siobhan Niamh Ciaran Aoife Padraig Saoirse Eoin Magnus Astrid Lars Ingrid Sven Freja "
    "Mikael Katarzyna Piotr Agnieszka Tomasz Zofia Dmitri Irina Olga Nikolai Svetlana Bogdan"
)

LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis "
    "Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell "
    "Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers "
    "Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks "
    "Bennett Gray James Hughes Price Sanders Myers Long Ross Foster Muller Schmidt Schneider Fischer "
    "Weber Meyer Wagner Becker Hoffmann Schulz Dubois Laurent Moreau Lefebvre Girard Bonnet Rossi "
    "Russo Ferrari Esposito Bianchi Romano Colombo Ricci Silva Santos Oliveira Pereira Costa "
    "Fernandes Kowalski Nowak Wisniewski Ivanova Petrov Novak Jansen deVries Bakker Visser Larsen "
    "Nielsen Hansen Andersson Johansson Lindqvist OBrien Byrne Kavanagh Gallagher Okafor Adeyemi "
    "Mensah Owusu Nwosu Khan Ahmed Hussain Rahman Patel Shah Sharma Gupta Iyer Nair Reddy Chen Wang "
    "Liu Zhang Huang Nguyen Tran Pham Kim Park Choi Tanaka Suzuki Sato Yamamoto Haddad Nasser Aziz"
)

# Short forms some customers prefer to be called by.
PREFERRED_NAMES = {
    "Elizabeth": "Liz", "Alejandro": "Alex", "Benjamin": "Ben", "Katarzyna": "Kasia", "Samuel": "Sam",
    "Gabriel": "Gabe", "Isabella": "Bella", "Alexander": "Sasha", "Sebastian": "Seb", "Valentina": "Vale",
    "Francesca": "Fran", "Nikolai": "Kolya", "Svetlana": "Sveta", "Dmitri": "Dima", "Tomasz": "Tomek",
    "Margaret": "Maggie", "Jonathan": "Jon", "Christopher": "Chris", "Matteo": "Teo", "Daniel": "Dan",
}

PRONUNCIATIONS = {
    "Siobhan": "shiv-AWN", "Niamh": "NEEV", "Aoife": "EE-fa", "Saoirse": "SEER-sha",
    "Ciaran": "KEER-awn", "Padraig": "PAW-drig", "Eoin": "OH-in", "Joao": "zhoo-OW",
    "Chiamaka": "chee-AH-ma-ka", "Ngozi": "n-GOH-zee", "Seo-yeon": "suh-YUHN", "Freja": "FRY-a",
}

ORG_FIRST = _words(
    "Northwind Bluebird Silverline Harbour Juniper Copperfield Evergreen Brightwater Redwood Kestrel "
    "Lighthouse Meadow Ironbridge Foxglove Summit Oakridge Riverside Starling Thistle Granite Willow "
    "Amber Cobalt Maple Orchard Pioneer Quayside Saffron Tidewater Upland Vantage Westbrook Alder "
    "Beacon Cedar Driftwood Elmstead Fairweather Galloway Hillcrest"
)
ORG_SECOND = _words(
    "Traders Bakery Logistics Studio Health Dental Architects Outfitters Books Coffee Gardens Legal "
    "Analytics Pharmacy Cycles Furniture Foods Travel Print Labs Veterinary Clinic Brewing Fitness "
    "Academy Energy Motors Hotels Media Consulting"
)
ORG_SUFFIX = ("Ltd", "GmbH", "Inc.", "& Co.", "Group", "", "", "", "SARL", "BV")

PRIVATE_DOMAINS = ("mailbox.example", "post.example", "inbox.test", "webmail.example", "home.test")

TIME_ZONES = (
    "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid", "America/New_York",
    "America/Chicago", "America/Los_Angeles", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney",
    "Africa/Lagos", "America/Sao_Paulo",
)
LANGUAGES = ("en",) * 17 + ("de", "fr", "es")

CUSTOMER_NOTES = (
    "Prefers a call back in the afternoon.",
    "Long-standing customer since 2019; very loyal.",
    "Runs the office; orders for the whole team.",
    "Hard of hearing: email preferred over phone.",
    "Has a dog called Biscuit, mentions him often.",
    "Asked us to use their preferred name.",
    "Birthday in March; likes a handwritten card.",
)

# (name, weight): a few very popular products and a long tail. "Fjordlight" and
# "Quillfeather" are deliberately rare, so search benchmarks have a rare word.
PRODUCTS = (
    ("Everyday Kettle", 30), ("Cloud Pillow", 25), ("Trail Backpack", 22), ("Barista Grinder", 18),
    ("Linen Duvet Set", 15), ("Smart Plug", 14), ("Desk Lamp", 12), ("Ceramic Mug Set", 12),
    ("Running Jacket", 10), ("Cast Iron Pan", 9), ("Wool Blanket", 8), ("Bluetooth Speaker", 8),
    ("Yoga Mat", 7), ("Garden Hose", 6), ("Bamboo Cutting Board", 5), ("Espresso Cups", 5),
    ("Standing Desk", 4), ("Noise-cancelling Headphones", 4), ("Air Purifier", 3), ("Rain Boots", 3),
    ("Fjordlight Lantern", 0.02), ("Quillfeather Fountain Pen", 0.01),
)

PLANS = ("Starter", "Team", "Business", "Enterprise")

TAGS = (
    "vip", "first-order", "wholesale", "gift", "urgent-shipping", "warranty", "escalated",
    "callback", "social-media", "repeat-contact", "b2b", "newsletter",
)

# Who works at the demo company. (email, name, role, team slugs, time zone, password)
AGENTS = (
    ("admin@example.com", "Alex Morgan", "admin", ("support", "billing"), "Europe/London", "goodwill-admin"),
    ("agent@example.com", "Jamie Rivera", "agent", ("support",), "Europe/London", "goodwill-agent"),
    ("priya.shah@example.com", "Priya Shah", "agent", ("support",), "Europe/London", None),
    ("tom.becker@example.com", "Tom Becker", "agent", ("support",), "Europe/Berlin", None),
    ("mei.lin@example.com", "Mei Lin", "agent", ("support",), "America/New_York", None),
    ("olu.adeyemi@example.com", "Olu Adeyemi", "agent", ("billing",), "Europe/London", None),
    ("sofia.rossi@example.com", "Sofia Rossi", "agent", ("billing",), "Europe/Paris", None),
    ("noah.kim@example.com", "Noah Kim", "light", ("support",), "America/Chicago", None),
)

TEAMS = (
    # (slug, name, restricted, address)
    ("support", "Support", False, "support@goodwill.example"),
    ("billing", "Billing", True, "billing@goodwill.example"),
)

CUSTOM_FIELDS: tuple[tuple[str, str, str, list[str]], ...] = (
    # (key, label, type, choices)
    ("order_number", "Order number", "text", []),
    ("plan", "Plan", "choice", list(PLANS)),
    ("callback_requested", "Call-back requested", "boolean", []),
)

MOODS = ("calm", "calm", "calm", "anxious", "frustrated", "angry", "delighted", "polite", "polite")

MOOD_OPENERS = {
    "calm": ("", "", "Quick question. "),
    "polite": (
        "I hope you're well. ",
        "Sorry to bother you, ",
        "I hope this is the right place to ask. ",
    ),
    "anxious": (
        "I'm really worried about this. ",
        "I'm a bit anxious because I need this sorted soon. ",
        "Please could someone help me as soon as possible? ",
    ),
    "frustrated": (
        "This is the third time I'm writing about this. ",
        "I'm getting quite frustrated. ",
        "Honestly, this has been a hassle from start to finish. ",
    ),
    "angry": (
        "THIS IS COMPLETELY UNACCEPTABLE!!! ",
        "I am absolutely furious. ",
        "WHY IS NOBODY ANSWERING ME?! ",
    ),
    "delighted": (
        "First of all, I love your shop! ",
        "You have been wonderful so far. ",
        "What a great experience this has been! ",
    ),
}

MOOD_CLOSERS = {
    "calm": ("Thanks.", "Thanks in advance.", "Cheers,"),
    "polite": ("Many thanks for your help,", "Thank you so much, kind regards,", "Best wishes,"),
    "anxious": ("I really hope you can help.", "Please let me know quickly.", "Thank you,"),
    "frustrated": ("I expect a proper answer this time.", "Please sort this out.", "Regards,"),
    "angry": ("FIX IT NOW!!!", "If this isn't fixed I will take my business elsewhere.", "Disappointed,"),
    "delighted": ("Thanks a million!", "Keep up the great work :)", "Warmly,"),
}

# Contact-reason taxonomy. Each leaf: keywords, subjects, openings, agent answers,
# customer follow-ups. Placeholders: {order} {product} {amount} {invoice} {plan} {days} {weekday}.
TAXONOMY: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Orders", "Where is my order", "order\ndelivery\ntracking\nparcel\nshipping\narrived",
        ("Where is my order {order}?", "Order {order} hasn't arrived", "Tracking not updating for {order}",
         "Still waiting for my {product}"),
        ("I ordered a {product} {days} days ago (order {order}) and it still hasn't arrived. The tracking "
         "page hasn't changed since {weekday}.",
         "My parcel for order {order} was supposed to arrive on {weekday} but nothing came. Can you tell me "
         "where it is?",
         "Could you check the delivery status of order {order}? It's the {product} I bought as a gift."),
        ("I've checked with the courier: order {order} is at the local depot and will be delivered on "
         "{weekday}. I'll keep an eye on it for you.",
         "I'm sorry the delivery is late. The {product} left our warehouse on time but the courier missed a "
         "scan. I've asked them to prioritise it and you should have it by {weekday}.",
         "Your order {order} was delivered to a neighbour according to the courier. Could you check with "
         "them? If it isn't there, I'll send a replacement straight away."),
        ("It still hasn't arrived. The tracking now says 'exception'.",
         "Got it this morning, thank you!",
         "My neighbour had it. Sorry for the trouble!"),
    ),
    (
        "Orders", "Return", "return\nsend back\nlabel\nwrong size\nrefund",
        ("Return for order {order}", "How do I send back my {product}?", "Return label please"),
        ("I'd like to return the {product} from order {order}. It's the wrong size. How do I get a return "
         "label?",
         "The {product} isn't what I expected and I'd like to send it back. Order {order}.",
         "Can I return an item bought {days} days ago? It's unused and still in the box."),
        ("No problem at all. I've emailed you a prepaid return label for order {order}. Once it's scanned "
         "we'll refund {amount} within 3 working days.",
         "Of course. Returns are free within 60 days; I've attached the label. Just drop the parcel at any "
         "post office.",
         "Thanks for letting us know. I've started the return for you; the refund of {amount} goes back to "
         "your original payment method."),
        ("Label received, I'll drop it off tomorrow.",
         "I sent it back on {weekday} but haven't had the refund yet.",
         "Thanks, that was easy."),
    ),
    (
        "Orders", "Damaged item", "damaged\nbroken\ncracked\ndented\nfaulty",
        ("My {product} arrived broken", "Damaged delivery, order {order}", "Cracked {product}"),
        ("The {product} arrived today and the box was crushed. The item itself is cracked. Order {order}. "
         "I've attached a photo.",
         "Unfortunately my {product} is damaged: there's a dent on the side and it doesn't work.",
         "Order {order} arrived in pieces. What can you do?"),
        ("I'm so sorry it arrived like that. I've sent a replacement {product} by express delivery; there's "
         "no need to return the damaged one.",
         "That's not the experience we want you to have. I've refunded {amount} and sent a replacement.",
         "Thank you for the photo. A new {product} is on its way and should arrive by {weekday}."),
        ("The replacement arrived and it's perfect. Thank you!",
         "Thanks. Do I need to keep the broken one?",
         "Still waiting for the replacement."),
    ),
    (
        "Orders", "Cancel order", "cancel\ncancellation\nchanged my mind",
        ("Cancel order {order}", "Please cancel my order", "Cancellation request"),
        ("I placed order {order} by mistake. Could you cancel it before it ships?",
         "Please cancel my order for the {product}; I found it elsewhere.",
         "I'd like to cancel order {order}. It hasn't shipped yet I think."),
        ("Done: order {order} is cancelled and {amount} will be back on your card in 3 to 5 days.",
         "I caught it just in time before it left the warehouse. It's cancelled and refunded.",
         "The order had already shipped, so I can't cancel it, but I've set up a free return for you."),
        ("Thanks for the quick help.", "When will I see the money?", "OK, thank you."),
    ),
    (
        "Billing", "Refund", "refund\nmoney back\nreimburse\ncharged",
        ("Refund for order {order}", "Where is my refund?", "Still no refund"),
        ("I returned the {product} {days} days ago and still haven't received my refund of {amount}.",
         "You promised a refund of {amount} but I haven't seen it on my statement.",
         "Could you confirm when the refund for order {order} will be processed?"),
        ("I've checked: the refund of {amount} was issued on {weekday}. Banks take 3 to 5 working days to "
         "show it. I'll check again on Friday to make sure it has arrived.",
         "I'm sorry for the wait. The refund was stuck in our system; I've pushed it through manually and "
         "you should see {amount} within two days.",
         "The refund has been processed today. I've attached the confirmation."),
        ("I can see it now, thanks.", "Still nothing on my account.", "Thank you for sorting it."),
    ),
    (
        "Billing", "Invoice copy", "invoice\nreceipt\nvat\ntax\nbilling address",
        ("Invoice for order {order}", "Need a copy of invoice {invoice}", "VAT invoice please"),
        ("Could you send me a copy of invoice {invoice}? Our accountant needs it.",
         "I need a VAT invoice for order {order} with our company name on it.",
         "Please can you resend the receipt for my last purchase? I can't find the email."),
        ("Here you go: invoice {invoice} is attached as a PDF.",
         "I've reissued the invoice with your company name and VAT number; it's attached.",
         "You can also download every invoice from your account page under Billing."),
        ("Perfect, thanks.", "The VAT number is still missing on it.", "Great, that's all I needed."),
    ),
    (
        "Billing", "Payment failed", "payment\ndeclined\ncard\nfailed\ncheckout",
        ("Payment keeps failing", "Card declined at checkout", "Can't pay for my {plan} plan"),
        ("My card keeps getting declined when I try to renew the {plan} plan, but the bank says it's fine.",
         "Checkout fails with 'payment error' every time I try to buy the {product}.",
         "The payment for invoice {invoice} failed. How can I pay another way?"),
        ("Thanks for your patience. The bank flagged the payment for 3-D Secure; if you try again you "
         "should get a confirmation prompt from your bank app.",
         "I've sent you a payment link that accepts bank transfer as well as cards.",
         "The issue was on our side and has been fixed. Could you try once more?"),
        ("It worked this time.", "Still failing, same error.", "Thank you!"),
    ),
    (
        "Billing", "Double charge", "charged twice\ndouble\nduplicate payment",
        ("I was charged twice", "Double charge on my card", "Duplicate payment for {order}"),
        ("I've been charged {amount} twice for order {order}. Please refund one of them.",
         "My statement shows two payments for the same order. What happened?",
         "You charged my card twice for the {plan} plan this month."),
        ("You're right, and I'm sorry. The second payment of {amount} was a duplicate; I've refunded it "
         "today.",
         "One of the two is only a pending authorisation and will drop off within 5 days. Only one payment "
         "was taken.",
         "I've refunded the duplicate and added a note to your account so it can't happen again."),
        ("Thanks for checking.", "It's been a week and both are still there.", "OK, makes sense."),
    ),
    (
        "Account", "Password reset", "password\nlogin\nlocked out\nreset\nsign in",
        ("Can't log in", "Password reset email never arrives", "Locked out of my account"),
        ("I've tried resetting my password three times but the email never arrives.",
         "My account is locked after too many attempts. Can you unlock it?",
         "I can't sign in any more since I changed my phone."),
        ("I've unlocked your account and sent a fresh reset link. It's valid for one hour; do check the spam "
         "folder too.",
         "The reset emails were bouncing because of a typo in your address. I've corrected it; please try "
         "again.",
         "I've reset two-factor authentication on your account, so you can set it up on the new phone."),
        ("That worked, thanks!", "Still no email.", "I'm in. Thank you."),
    ),
    (
        "Account", "Change email", "email address\nchange email\nupdate details",
        ("Change my email address", "Update account details", "New email address"),
        ("I have a new email address. Could you update my account?",
         "Please change the email on my account; I no longer use the old one.",
         "How do I update my address and phone number?"),
        ("Done, your account now uses the new address. You'll get a confirmation there.",
         "You can change it under Account › Details; I've also updated it for you this time.",
         "Updated. Everything else on your account stays the same."),
        ("Thanks!", "I didn't get the confirmation.", "Great, cheers."),
    ),
    (
        "Account", "Close account", "close account\ndelete my data\ngdpr\nunsubscribe",
        ("Please close my account", "Delete my data", "Unsubscribe me from everything"),
        ("Please close my account and delete my personal data.",
         "I don't want to receive any more emails. Remove me from all lists please.",
         "How do I delete my account?"),
        ("I'm sorry to see you go. Your account is closed and your data will be erased within 30 days; "
         "you'll get a confirmation email.",
         "You've been removed from all mailing lists. Is there anything we could have done better?",
         "Before I close it: you still have {amount} store credit. Would you like it refunded?"),
        ("Yes please refund the credit.", "Thank you.", "No, that's all."),
    ),
    (
        "Product", "How to", "how do i\nhow to\ninstructions\nmanual\nset up",
        ("How do I set up the {product}?", "Question about the {product}", "Instructions for {product}"),
        ("How do I descale the {product}? The manual isn't very clear.",
         "Is the {product} dishwasher safe?",
         "What's the best way to set up the {product}? I'm not very technical."),
        ("Great question! Fill it with equal parts water and white vinegar, boil, leave for 20 minutes, "
         "then rinse twice.",
         "Yes, it's dishwasher safe on the top rack. Hand washing keeps the finish nicer for longer.",
         "Here's a short video that walks through the set-up step by step. Let me know how you get on."),
        ("That worked perfectly.", "I tried that but it still doesn't work.", "Thanks for the tip!"),
    ),
    (
        "Product", "Bug report", "bug\nerror\ncrash\nnot working\nbroken app",
        ("The app crashes when I open my orders", "Error on the website", "{product} app not working"),
        ("Every time I open 'My orders' in the app it crashes. I'm on the latest version.",
         "The website shows 'something went wrong' when I try to save my address.",
         "The {product} won't connect to the app any more after the update."),
        ("Thanks for reporting this. Our developers found the bug and a fix ships on {weekday}. Until then "
         "the website works as a workaround.",
         "I've passed this to our engineers with your details. I'll let you know as soon as it's fixed.",
         "Could you try removing and re-adding the device? The update changed the pairing."),
        ("Re-adding it worked.", "Still crashing on the new version.", "Thanks for letting me know."),
    ),
    (
        "Product", "Feature request", "feature\nsuggestion\nwould be nice\nplease add",
        ("Feature idea", "Could you add a wishlist?", "Suggestion for the {product}"),
        ("It would be great if I could save items to a wishlist.",
         "Please add an option to choose a delivery day.",
         "Any chance the {product} comes in other colours?"),
        ("What a good idea. I've added it to our product board with your name so we can tell you when it "
         "ships.",
         "Thank you! Several customers asked for this and it's planned for next quarter.",
         "Not yet, but I've passed your request to the buying team."),
        ("Great, thanks.", "Any update on this?", "Looking forward to it."),
    ),
    (
        "Complaint", "", "complaint\nunacceptable\nworst\nmanager\nterrible service",
        ("Formal complaint", "Terrible service", "Complaint about my last order"),
        ("I want to make a formal complaint. I've been passed from one person to another and nobody takes "
         "responsibility.",
         "Your courier left my {product} in the rain and the box was soaked. This is the worst service I've "
         "had.",
         "I was promised a call back on {weekday} and nobody called."),
        ("Thank you for telling us, and I'm sorry. You shouldn't have had to chase us. I've taken ownership "
         "of this and will personally update you by {weekday}.",
         "I've read everything that happened and you're right to be upset. I've refunded {amount} and "
         "raised it with our courier.",
         "I'm sorry we broke our promise. I'll call you today before 5 pm."),
        ("Thank you for actually listening.", "I'll believe it when I see it.", "OK. I appreciate the call."),
    ),
    (
        "Feedback", "Praise", "thank you\namazing\ngreat service\nlove\nhappy",
        ("Thank you!", "Great service from your team", "Just wanted to say thanks"),
        ("I just wanted to say thank you to the person who helped me last week. Above and beyond!",
         "The {product} is brilliant and arrived a day early. Great job.",
         "Your team sorted my problem in five minutes. Really impressed."),
        ("That's so kind of you, thank you! I've passed your message on to the team.",
         "Thank you for taking the time to write. It made our day.",
         "We're so glad you love the {product}!"),
        ("You're welcome!", "Thanks again.", ":)"),
    ),
    (
        "Feedback", "Suggestion", "suggestion\nfeedback\nidea\nimprove",
        ("Some feedback on your website", "A suggestion", "Feedback about delivery"),
        ("The checkout asks for my address twice; that could be simpler.",
         "It would help if the delivery emails said which courier is coming.",
         "Your packaging uses a lot of plastic. Could you use paper instead?"),
        ("Thank you for the feedback. I've shared it with the web team.",
         "Good point. We're switching to paper packaging this spring.",
         "Thanks, that's really useful. I've logged it for the delivery team."),
        ("Great to hear.", "Thanks.", "Happy to help."),
    ),
)

GREETINGS = ("Hi {name},", "Hello {name},", "Dear {name},", "Hi {name}!", "Good morning {name},")
AGENT_EMPATHY = {
    "calm": ("", "Thanks for getting in touch. ", "Thanks for reaching out. "),
    "polite": ("Thank you for your kind message. ", "Thanks for getting in touch. ", ""),
    "anxious": ("I understand this is worrying, so let me sort it out right away. ",
                "Please don't worry, I'm on it. "),
    "frustrated": ("I'm sorry you've had to write more than once. ",
                   "I understand how frustrating this is, and I'm sorry. "),
    "angry": ("I'm really sorry, you have every right to be upset. ",
              "I apologise; this isn't the service you should get from us. "),
    "delighted": ("Thank you so much for your lovely message! ", "That's great to hear! "),
}
AGENT_SIGNOFFS = (
    "Best wishes,\n{agent}", "Kind regards,\n{agent}", "Have a lovely day,\n{agent}", "Thanks,\n{agent}",
)

NOTES = (
    "Checked the warehouse system: order {order} left on {weekday}.",
    "Customer sounded upset on the phone; go gently.",
    "Asked Billing to confirm the refund of {amount}.",
    "Waiting for the courier to reply before we answer.",
    "Same issue as last month for this customer; see the earlier conversation.",
    "@{agent} can you double-check the invoice before we send it?",
    "Promised a call back by {weekday}.",
    "Gave a goodwill voucher of {amount}.",
)

PHONE_LOGS = (
    "Customer called about order {order}. {body}",
    "Inbound call: {body}",
    "Call from the customer, about 6 minutes. {body}",
)
WALK_IN_LOGS = (
    "Customer came to the shop counter. {body}",
    "Walk-in at the Riverside store: {body}",
    "Visited in person with the {product}. {body}",
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
