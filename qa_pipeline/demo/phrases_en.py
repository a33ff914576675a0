"""English building blocks for the demo centre's scripted calls (data only).

Written for the demo; none of it comes from the labelled rubric examples. Same shape as
:mod:`qa_pipeline.demo.phrases_zh`.
"""
from __future__ import annotations

SEP = ", "

GREETING = {
    "hello": ["Hello", "Good morning", "Good afternoon", "Hi there", "Hello and good day"],
    "company": ["thank you for calling {company}", "you've reached {company}", "welcome to {company}",
                "this is {company} customer care"],
    "name": ["this is {given}", "my name is {given}", "{given} speaking", "this is {given}, agent {number}",
             "you're speaking with {given}"],
    "offer": ["How can I help you today?", "What can I do for you?", "How may I help?", "Please go ahead.",
              "How can I help?"],
    "offer_curt": ["Yeah?", "What is it?", "Go on."],
}

CUSTOMER_OPENER = ["", "", "Hi, ", "Hello, yes, ", "Hi there, ", "Morning, "]
IDENTITY_ASK = ["Could I have your {id_label}, please?", "Can you give me the {id_label}, please?",
                "Before I look, please confirm your {id_label}.", "Would you mind reading me your {id_label}?",
                "For security, could you please tell me your {id_label}?"]
IDENTITY_ASK_CURT = ["{id_label}?", "What's the {id_label}."]
IDENTITY_GIVE = ["It's {id_value}.", "Sure, {id_value}.", "My {id_label} is {id_value}.", "Yes, it's {id_value}.",
                 "{id_value}."]
IDENTITY_ACK = ["Thank you, that's verified.", "Thanks, I've got your account up.", "Thank you, I can see your details now.",
                "Great, thanks for that."]
IDENTITY_ACK_CURT = ["Okay, got it.", "Right."]
NO_IDENTITY = ["I've pulled up the account from the number you're calling from.", "Your account is on my screen already.",
               "Okay, I see your record here."]

CONFIRM = ["Just to confirm, you'd like to {need_short}, is that right?", "So if I understand correctly, you want to {need_short}?",
           "Let me make sure I have this right: you need to {need_short}, correct?",
           "Okay, so you're looking to {need_short}, yes?", "Just to check, you want me to {need_short}?"]
CONFIRM_YES = ["Yes, that's right.", "Exactly.", "Yep, that's it.", "Correct.", "That's right, yes."]

HOLD = ["Please bear with me a moment while I check.", "Could you hold for a second, please? I'll take a look.",
        "One moment please, I'm just checking that.", "Let me look into that, please hold on."]
HOLD_CURT = ["Hang on.", "Wait."]
HOLD_BACK = ["Thanks for waiting.", "Thanks for your patience.", "Thank you for holding.", "Okay, I have it here."]

CUSTOMER_OK = ["Okay, that makes sense.", "Oh right, fine.", "Great, thanks.", "Alright, got it.", "Okay, let's do that then."]
CUSTOMER_TRAILING = ["and I've called about this before, actually.", "it's been going on for a while now, honestly.",
                     "and I'm in a bit of a hurry today.", "I really just want it sorted out today."]
CUSTOMER_REPEAT = ["Sorry, what was that?", "Can you say that again? I missed it.", "Sorry, could you repeat that?"]
REPEAT_OK = ["Of course, let me say that again.", "No problem, I'll repeat it.", "Sure, I'll go through it once more."]
FORBIDDEN = ["I already told you, that's how it works.", "That's not my problem, figure it out yourself.",
             "Look, that's not my job.", "Whatever, it's in the email.", "Calm down, I said it already."]

MORE_HELP = ["Is there anything else I can help you with?", "Anything else I can do for you today?",
             "Is there anything else you need?", "Can I help with anything else?"]
MORE_HELP_CURT = ["That it?", "Anything else?"]
CUSTOMER_NO_MORE = ["No, that's all, thanks.", "Nope, that's everything.", "No, I'm good.", "That's it, thank you."]

CLOSING = ["Thank you for calling, have a nice day. Goodbye!", "Thanks for calling, goodbye.",
           "Thank you for your patience, have a great day, bye.", "Thanks for calling, take care, goodbye.",
           "Thank you for calling, bye now."]
CLOSING_BAD = ["Okay, bye.", "Thank you for calling.", "Alright then.", "Right, bye."]
CUSTOMER_BYE = ["Bye.", "Thanks, bye.", "Goodbye.", "Okay, bye now."]

CARD_CONFIRM = ["The refund goes back to the card ending {last4}, is that right?",
                "That's the card ending in {last4} on the account?"]
CARD_READOUT = ["The card on file is {card}, correct?", "Let me read the card number, {card}, is that right?"]
CARD_YES = ["Yes, that one.", "Yes.", "That's right."]

APOLOGY = ["I'm really sorry about that.", "I understand how frustrating this is, and I apologise.",
           "I'm so sorry for the trouble this has caused.", "I apologise for the inconvenience.",
           "I completely understand, I'm sorry this happened."]
NO_APOLOGY = ["Okay, what happened exactly?", "Right, so what's the issue?"]
INCIDENT_ASK = ["When did this happen?", "Can you tell me what date this was?", "When did you first notice it?",
                "What day did this start?"]
INCIDENT_GIVE = ["{Incident_day}, {incident}.", "It was {incident_day}, {incident}.", "{Incident_day}. {Incident}."]
CONTACT_ASK = ["What's the best number to reach you on for the follow-up?", "Can I call you back on the number you're calling from?",
               "Could you leave a contact number, please, so we can update you?"]
CONTACT_GIVE = ["Use {phone}.", "Yes, {phone} is fine.", "Call me on {phone}."]
RESOLVE_COMPLAINT = ["I've raised an urgent ticket and you'll hear back {reply_time}. I'll personally follow up on it.",
                     "I've escalated this to my supervisor, and we'll get back to you {reply_time}. I'm keeping the case myself.",
                     "I've logged it as ticket {ticket}; someone will call you {reply_time}, and I'll follow it through.",
                     "I'll take ownership of this and call you back {reply_time} with an answer."]
RESOLVE_VAGUE = ["I'll note it down and we'll sort it out as soon as possible.", "I've passed it on, someone will get back to you soon."]
RESOLVE_DEFLECT = ["You'll need to call {other} yourself about that, their number is {hotline}.",
                   "That's for {other}, you should contact them directly."]
CUSTOMER_AFTER_COMPLAINT = ["Fine, I'll wait to hear from you.", "Okay, but please don't let it drag on again.",
                            "Alright, I'll wait.", "Okay, fine."]
REPLY_TIMES = ["within 24 hours", "by five tomorrow afternoon", "within three working days", "within two hours",
               "by Friday", "by noon tomorrow"]
INCIDENT_DAYS = ["last Wednesday", "the day before yesterday", "yesterday evening", "on the fifth", "at the end of last month",
                 "about three days ago", "last weekend"]
DAYS = ["tomorrow", "the day after tomorrow", "next Monday", "this Friday", "next Wednesday"]
SLOTS = [" between nine and twelve", " between two and five", " between six and eight in the evening"]

DOMAINS: dict[str, dict] = {
    "telecom": {
        "queue": "telecom",
        "followups": [
            ('Will I have enough data left this month?', 'You have twelve gigs left, which should be plenty.'),
            ('Will I get a text to confirm?', "Yes, you'll get a confirmation text in a few minutes."),
        ],
        "companies": ["Bluewave Telecom", "Corner Mobile"],
        "other": "the retail store",
        "scenarios": [
            {"id": ["mobile number", "account PIN"], "account": True, "card": True,
             "needs": ["My bill is {amount} higher this month and I haven't added anything.",
                       "Can you check my bill? It's way more than usual."],
             "need_short": ["check why this month's bill went up", "go through this month's bill"],
             "resolve": ["The extra {amount} is a subscription add-on. I've cancelled it and the charge comes back {day}.",
                         "That's data over your allowance. I've applied a one-off credit, you'll see it {day}."],
             "complaints": ["I never signed up for that, you keep overcharging me, this is unacceptable.",
                            "Second time this happened, I'm really upset and I want to make a complaint."],
             "incidents": ["a text said I'd been charged {amount}", "my bill had a service I never ordered"]},
            {"id": ["mobile number"], "account": True, "card": False,
             "needs": ["I'd like to move to a cheaper plan, I don't use all my data.", "Do you have a plan with more data? I want to switch."],
             "need_short": ["change to a plan that fits better", "switch to a plan with more data"],
             "resolve": ["Done, you're on the twenty dollar plan from {day}, and this month isn't affected.",
                         "I've changed it, the new plan has thirty gigs and starts on the first."],
             "complaints": ["I asked to change my plan last month and nothing happened, this is unacceptable.",
                            "Three attempts to change a plan, I want to make a complaint."],
             "incidents": ["the store said it was done but I'm still billed the old plan",
                           "the website said success but nothing changed"]},
            {"id": ["account number", "postcode"], "account": True, "card": False,
             "needs": ["My broadband has been down since this morning, the light keeps flashing.",
                       "The internet at home is really slow, videos won't load."],
             "need_short": ["report the broadband fault at home", "fix the slow connection"],
             "resolve": ["I've booked an engineer for {day}{slot}, they'll call before they come.",
                         "There's a fault on the line in your area, it should be fixed {day}."],
             "complaints": ["Three days without internet and nobody came, I'm really upset.",
                            "I've reported this four times, this is unacceptable."],
             "incidents": ["the connection dropped completely", "it cuts out every evening"]},
        ],
    },
    "banking": {
        "queue": "cards",
        "followups": [
            ('Will this affect my credit score?', "No, this doesn't affect your credit score."),
            ('Will I see it in the app?', 'Yes, refresh the app and it shows straight away.'),
        ],
        "companies": ["Harbor Trust Bank", "Kestrel Bank"],
        "other": "your branch",
        "scenarios": [
            {"id": ["date of birth", "last four digits of the card"], "account": True, "card": True,
             "needs": ["I lost my debit card, I need to block it.", "My wallet was stolen with my card in it."],
             "need_short": ["block the lost card", "freeze the card and order a new one"],
             "resolve": ["The card is blocked now and a replacement will arrive in five working days.",
                         "I've frozen the card; the new one goes to your home address {day}."],
             "complaints": ["I blocked it and there's still a charge of {amount}, this is unacceptable.",
                            "I waited forty minutes to report it, I want to make a complaint."],
             "incidents": ["someone spent {amount} on the card", "a payment went through after I blocked it"]},
            {"id": ["date of birth", "postcode"], "account": True, "card": True,
             "needs": ["A transfer failed, it says I'm over my limit.", "Can you raise my daily transfer limit?"],
             "need_short": ["raise your daily transfer limit", "sort out the failed transfer"],
             "resolve": ["I've raised the daily limit to ten thousand from {day}; confirm it in the app.",
                         "I've set a temporary limit for today, the transfer should go through now."],
             "complaints": ["The transfer failed and I missed my rent, I'm really upset.",
                            "Nobody has fixed this limit in three calls, this is unacceptable."],
             "incidents": ["the transfer bounced three times", "the payment was returned"]},
        ],
    },
    "retail": {
        "queue": "orders",
        "followups": [
            ('Do I have to pay for the return postage?', 'No, the return label is free this time.'),
            ("Will I get an email when it's sorted?", "Yes, you'll get an email as soon as it's updated."),
        ],
        "companies": ["Parcelpoint", "Maple Lane Store"],
        "other": "the courier",
        "scenarios": [
            {"id": ["order number", "email address"], "account": True, "card": False,
             "needs": ["My parcel says delivered but I never got it.", "It's been a week and the tracking hasn't moved."],
             "need_short": ["track down your parcel", "find out where the order is"],
             "resolve": ["It's at the pickup point on the corner, I've resent the collection code.",
                         "I've asked the warehouse to send a replacement, it'll arrive {day}."],
             "complaints": ["You lost my parcel and nobody cares, I want to make a complaint.",
                            "Ten days waiting, this is unacceptable."],
             "incidents": ["it showed delivered but nothing came", "the tracking stopped at the depot"]},
            {"id": ["order number"], "account": True, "card": True,
             "needs": ["I want to return a jacket, it's the wrong size.", "These shoes are too small, can I send them back?"],
             "need_short": ["return the item", "send the shoes back for a refund"],
             "resolve": ["The return is booked, a courier collects it {day}{slot} and {amount} goes back to your card.",
                         "Your return is approved, just pick collection on the order page."],
             "complaints": ["I sent it back two weeks ago and still no refund, I'm really upset.",
                            "The refund is stuck and nobody helps, I want to make a complaint."],
             "incidents": ["the return was sent and no refund came", "they promised three days and nothing happened"]},
        ],
    },
    "utilities": {
        "queue": "energy",
        "followups": [
            ('Can I pay it in the app?', 'Yes, you can pay in the app or set up a direct debit.'),
            ('Can I get the bill by email?', "Yes, I've switched you to e-billing."),
        ],
        "companies": ["Brightline Energy", "Riverside Water"],
        "other": "your landlord",
        "scenarios": [
            {"id": ["account number", "first line of the address"], "account": True, "card": True,
             "needs": ["My energy bill is {amount}, that can't be right.", "Could I get a breakdown of last month's bill?"],
             "need_short": ["check this month's bill", "get the breakdown of last month's bill"],
             "resolve": ["You used more at night this month, the bill is correct, but I can spread it over three months.",
                         "I've emailed the breakdown; {amount} is due by {day}."],
             "complaints": ["The bill doubled, your meter is wrong, this is unacceptable.",
                            "Nobody read the meter and you guessed my bill, I want to make a complaint."],
             "incidents": ["the bill doubled", "the meter reading doesn't match mine"]},
            {"id": ["account number"], "account": True, "card": False,
             "needs": ["We've got no power on our street, when is it coming back?", "There's no power in the whole building."],
             "need_short": ["find out when the power comes back", "report the power cut"],
             "resolve": ["It's planned maintenance, power is back by four this afternoon.",
                         "An engineer is on the way, it should be back within two hours."],
             "complaints": ["No warning about the cut and my freezer is ruined, I want to make a complaint.",
                            "Third power cut this month, I'm really upset."],
             "incidents": ["the power went off without notice", "we had no power the whole night"]},
        ],
    },
    "insurance": {
        "queue": "claims",
        "followups": [
            ('Do you need anything else from me?', 'No, we have everything we need now.'),
            ('Where can I follow the progress?', "It's all under Claims in your online account."),
        ],
        "companies": ["Evergreen Insurance", "Lakeside Mutual"],
        "other": "the claims team",
        "scenarios": [
            {"id": ["policy number", "date of birth"], "account": True, "card": True,
             "needs": ["Where's my claim at? I sent it in last month.", "When will my car claim be paid?"],
             "need_short": ["check the status of your claim", "find out when the claim pays out"],
             "resolve": ["The claim is approved and {amount} will reach your account in three working days.",
                         "We're only missing one invoice; once it's in we can close the claim {day}."],
             "complaints": ["This claim has dragged on for over a month, this is unacceptable.",
                            "I've sent the documents three times, I want to make a complaint."],
             "incidents": ["nothing happened after I sent the papers", "the claim was sent back twice"]},
            {"id": ["policy number"], "account": True, "card": False,
             "needs": ["I changed my phone number and want it on my policy.", "I need to change the beneficiary on my policy."],
             "need_short": ["update the contact details on the policy", "change the beneficiary"],
             "resolve": ["It's updated and will show everywhere {day}.",
                         "The change needs your signature, I've emailed you the form."],
             "complaints": ["Why do I have to come in just to change a number? I'm really upset.",
                            "The details I changed went back to the old ones, this is unacceptable."],
             "incidents": ["texts still go to my old number", "the policy still shows the wrong details"]},
        ],
    },
    "travel": {
        "queue": "bookings",
        "followups": [
            ('Will I get a confirmation?', 'Yes, a confirmation email is on its way.'),
            ('Can I get an invoice?', 'Yes, you can download it from the booking page.'),
        ],
        "companies": ["Skyway Travel", "Compass Trips"],
        "other": "the airline",
        "scenarios": [
            {"id": ["booking reference", "passenger surname"], "account": True, "card": True,
             "needs": ["I need to change my flight for {day} to a later one.", "Can I change my flight? There's a clash."],
             "need_short": ["change your flight", "move the flight to another time"],
             "resolve": ["You're on the seven p.m. flight {day} now, and the {amount} difference is refunded.",
                         "Changed; the new itinerary is in your inbox."],
             "complaints": ["My flight was cancelled and nobody told me, I waited five hours, I want to make a complaint.",
                            "You charged me {amount} to change it, this is unacceptable."],
             "incidents": ["the flight was cancelled without notice", "I lost my seat after the change"]},
            {"id": ["booking reference"], "account": True, "card": True,
             "needs": ["Can I still cancel my hotel and get a refund?", "My plans changed, please cancel the hotel."],
             "need_short": ["cancel the hotel and refund it", "cancel your hotel booking"],
             "resolve": ["It's free to cancel, {amount} goes back to your card within five working days.",
                         "Cancelled; the first night is kept and the rest is refunded."],
             "complaints": ["The hotel had no record of my booking, I want to make a complaint.",
                            "The room was nothing like the photos, I'm really upset."],
             "incidents": ["the front desk couldn't find the booking", "the room didn't match the listing"]},
        ],
    },
    "repairs": {
        "queue": "repairs",
        "followups": [
            ('Is there a call-out fee?', "Not while it's under warranty."),
            ('What time will they come?', 'The technician calls about half an hour before arriving.'),
        ],
        "companies": ["FixRight Appliances", "Homecare Repairs"],
        "other": "the shop you bought it from",
        "scenarios": [
            {"id": ["phone number on the order", "serial number"], "account": True, "card": False,
             "needs": ["My air conditioner stopped cooling, I need someone to look at it.",
                       "The AC unit is dripping water, can you send someone?"],
             "need_short": ["book a technician for the air conditioner", "get someone to check the AC"],
             "resolve": ["A technician is booked for {day}{slot}; they'll ring before they set off.",
                         "The job is booked and it's under warranty, so no call-out fee."],
             "complaints": ["The technician never showed up and didn't call, I want to make a complaint.",
                            "It's been repaired twice and it's broken again, this is unacceptable."],
             "incidents": ["the technician didn't turn up", "it broke again the day after the repair"]},
            {"id": ["phone number on the order"], "account": True, "card": False,
             "needs": ["My washing machine makes a terrible noise when it spins.", "The washer shows error E3, what does that mean?"],
             "need_short": ["sort out the noisy washing machine", "look at the E3 error"],
             "resolve": ["I've booked a repair visit for {day}{slot}.",
                         "E3 usually means the load is uneven; if rearranging it doesn't help, I can book a visit {day}."],
             "complaints": ["It's a week old and already broken, I want to make a complaint.",
                            "I waited in all day and nobody came, I'm really upset."],
             "incidents": ["the machine stopped spinning", "nobody came and nobody called"]},
        ],
    },
    "hospital": {
        "queue": "appointments",
        "followups": [
            ('Do I need to fast beforehand?', 'Only for blood tests; nothing to eat for eight hours.'),
            ('Where do I park?', "There's a car park behind the main entrance, the first hour is free."),
        ],
        "companies": ["St. Aidan's Clinic", "Westgate Hospital"],
        "other": "the outpatient desk",
        "scenarios": [
            {"id": ["patient number", "date of birth"], "account": True, "card": False,
             "needs": ["I'd like an appointment with a specialist {day}.", "Is there anything free in dermatology {day}?"],
             "need_short": ["book a specialist appointment", "get a dermatology appointment"],
             "resolve": ["You're booked {day} at ten; please check in half an hour early.",
                         "There's one slot left{slot}, I've held it for you."],
             "complaints": ["I came for my appointment and there was no record of it, I want to make a complaint.",
                            "I couldn't get through for an hour, this is unacceptable."],
             "incidents": ["the clinic had no record of my appointment", "the system said it was cancelled"]},
            {"id": [], "account": False, "card": False,
             "needs": ["Are you open for outpatients at the weekend?", "Do I need to book ahead for a blood test?"],
             "need_short": ["know the weekend opening hours", "know how blood tests are booked"],
             "resolve": ["On Saturdays the general clinic is open in the morning; Sundays are emergencies only.",
                         "Blood tests are walk-in before eleven, no booking needed."],
             "complaints": ["Your website hours are wrong, I came for nothing, I'm really upset.",
                            "I've been transferred three times for a simple question, this is unacceptable."],
             "incidents": ["I came at the listed time and it was closed", "I was passed around on the phone"]},
        ],
    },
}
