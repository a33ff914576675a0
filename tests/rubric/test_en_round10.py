"""Issue 11, en10 (round 10): English kinds of miss named on tests/data/dev_en/holdout9, each fixed in
general terms and probed here with sentences written for this test across industries and Englishes
(no sentence of a labelled call). Every breach has a harmless twin.

- C5: a resolution phrase reached fuzzily by another verb ("I have understood you" read as "I have
  moved you"); a code or link sent to verify the caller is no resolution; a done state said of the
  thing ("that payment has gone through", "that's all paid") is one.
- C2: the need put back and closed by a tag of other Englishes (abi, not so, isn't it, innit, na, eh).
- D2: the incident read back with a span of time ("all weekend", "the first night of the trip") and a
  loose check ("is that about it?", "does that sound right?"); never a future read back.
- B2: the customer lumped with a class that always gets it wrong ("you tenants always ..."), the
  customer's call itself blamed ("then you ring us to moan"), the problem disowned in Nigerian English,
  Pidgin or Indian English ("e no concern me", "not coming to my side"), the fault put on a partner and
  disowned ("that's on the installer, he's a subcontractor"), "been round this already", refusing to
  say it "over and over"; and, probed in fresh words, sarcastic praise of the customer's mishap, a mock
  offer only a child needs, rhetorical impatience ("what part of no ...", "how hard can it be?"), the
  customer blamed for what befell them, "above my pay grade".
- E1: an access code said digits first ("4 8 1 9 is the gate code") or named a combination; a card's
  security code read back (three digits: "the CVV is three one eight").
- A1: greetings of other languages (bore da, dia duit, howzit, jambo, selamat pagi); a casual greeting
  word ("Hiya") is no company name.
- C1: the name asked as "whose / what name is it under"; D3: the contact named, then checked after
  other words ("is this mobile ending 4 4 2 the best way for us to reach you?").
"""
from __future__ import annotations

import pytest
from test_rubric_standard import AGENT, CUSTOMER, outcome


def _one(item: str, want: str, texts: list[str]) -> list[tuple]:
    return [("en", [(AGENT, t)], item, want) for t in texts]


def _c5_call(mid: list, early: list) -> list:
    turns = [(AGENT, "Good afternoon Fernhill Storage, Dev speaking, how can I help?"),
             (CUSTOMER, "I want to pay this month's rent on my unit.")]
    turns += early
    turns += [(AGENT, "So you'd like to pay this month's rent on unit twelve, is that right?"), (CUSTOMER, "Yes.")]
    turns += mid
    return turns + [(AGENT, "Anything else I can help with?"), (CUSTOMER, "No."), (AGENT, "Thanks for calling, bye.")]


def _complaint(text: str) -> list:
    return [(AGENT, "Hello, Tidewater Boats, Joe speaking."),
            (CUSTOMER, "I'm really unhappy, this is unacceptable, the hire boat was a disgrace."),
            (AGENT, "I'm sorry to hear that."), (CUSTOMER, "The engine kept cutting out."), (AGENT, text)]


def _c1(question: str) -> list:
    return [(AGENT, "Hello, Kestrel Cabs, Ian here."), (CUSTOMER, "It's about my booking."), (AGENT, question),
            (CUSTOMER, "Patel."), (AGENT, "Thanks, I can see your booking for Friday.")]


_PAID = [(AGENT, "That's paid now, receipt to your email.")]
_UNIT = [(AGENT, "What's the unit number?"), (CUSTOMER, "Twelve.")]

CASES = [
    # C5: a check of understanding is no resolution, whatever verb fills "I have ... you"
    ("en", [(AGENT, "Thanks for calling Brightwater Dental, Priya speaking, how can I help?"),
            (CUSTOMER, "Hi, I need to move my cleaning."),
            (AGENT, "Right, I have understood you, may I have your date of birth please?"), (CUSTOMER, "Third of May 1980."),
            (AGENT, "Thanks. So you want the cleaning put back a week or two, is that right?"), (CUSTOMER, "Yes."),
            (AGENT, "I have moved you to the fourteenth at ten. Is there anything else I can help with?"),
            (CUSTOMER, "No."), (AGENT, "Thank you for calling, goodbye.")], "C5", "pass"),
    ("en", _c5_call(_PAID, [(AGENT, "For security I've sent a one time code to your mobile, can you read it to me?"),
                            (CUSTOMER, "Got it, it matches.")]), "C5", "pass"),
    ("en", _c5_call([], _UNIT + [(AGENT, "Thanks, that payment has gone through, forty pounds.")]), "C5", "fail"),
    ("en", _c5_call([], _UNIT + [(AGENT, "Right, that's all paid on the card ending 4410.")]), "C5", "fail"),
    # C1: the same fuzzy reading made a product question look like a record touched (C1 na, not fail)
    ("en", [(AGENT, "Hello, Fenwick Paints, Bea speaking."), (CUSTOMER, "Does your eggshell come in sage?"),
            (AGENT, "Yes, I have understood you, it does, in 1 and 2.5 litres.")], "C1", "na"),
    ("en", [(AGENT, "Hello, Fenwick Paints, Bea speaking."), (CUSTOMER, "Can you move my delivery?"),
            (AGENT, "I have moved you to Friday.")], "C1", "fail"),
    ("en", [(AGENT, "Hello, Fenwick Paints, Bea speaking."), (CUSTOMER, "Is my order still coming Friday?"),
            (AGENT, "Yes, I've got you down for Friday morning, the sage eggshell.")], "C1", "fail"),
    # D2: a read-back with a span of time and a loose check; not a future
    ("en", _complaint("Okay, so the outboard kept dying on you all weekend long, is that about it?"), "D2", "pass"),
    ("en", _complaint("So the bilge pump was failing over the whole weekend, does that sound right?"), "D2", "pass"),
    ("en", _complaint("Let me check I've got it, the cabin heater packed in the first night of the trip, is that about right?"),
     "D2", "pass"),
    ("en", _complaint("So the engine will be checked over the weekend, is that about it?"), "D2", "fail"),
    # C1: the name asked as a wh-question about the record
    ("en", _c1("Whose name is the booking under?"), "C1", "pass"),
    ("en", _c1("What name's the policy in?"), "C1", "pass"),
    # D3: the contact named, checked after other words; not a plan that is "still the best"
    ("en", [*_complaint("I'm sorry about that.")[:4], (AGENT, "Is the email jo dot lam at outlook still right for updates?")],
     "D3", "pass"),
    ("en", [*_complaint("I'm sorry about that.")[:4], (AGENT, "Is this mobile ending 4 4 2 the best way for us to reach you?")],
     "D3", "pass"),
    ("en", [*_complaint("I'm sorry about that.")[:4], (AGENT, "Is this still the best plan for you?")], "D3", "fail"),
]
CASES += [("en", [(CUSTOMER, "I have a problem with my order."), (AGENT, t)], "C2", "pass") for t in [
    "So the inverter has been beeping since the storm, abi?", "So you want the premium paid monthly instead, not so?",
    "So the parcel came without the charger, isn't it?", "So you're after a refund on the second ticket, innit?",
    "So you want the booking shifted to Sunday, na?", "So the router keeps dropping at night, eh?"]]
CASES += [("en", [(CUSTOMER, "I have a problem with my order."), (AGENT, t)], "C2", "fail") for t in [
    "So I will send the form today, no?", "So that is done now, abi?", "So we are all sorted, innit?"]]
CASES += _one("B2", "fail", [
    "This is always the way with you customers, you ignore the manual and then it breaks.",
    "It's the same story every time with you lot, nobody reads the terms.",
    "You tenants always leave the boiler on full and then wonder why the bill is high.",
    "You let it run dry and then you ring us to moan about it.",
    "Then you come crying to us when the meter cuts off.",
    "That app issue no be my matter, e no concern me.",
    "Madam that one does not concern me at all.",
    "That is not coming to my side, it is the courier's matter only.",
    "That's on the installer, he's a subcontractor.",
    "We've been round this already, the price is the price.",
    "I refuse to keep repeating this over and over, sir.",
    "I'm not explaining it again and again, madam.",
])
CASES += _one("B2", "pass", [
    "You customers have been so patient with us this week, thank you.",
    "We always try our best with you customers, sir, it's no trouble.",
    "Lots of our customers always ask about this, so you're not alone.",
    "If it happens again, ring us and we'll send someone out.",
    "The courier is on the way now, it's on the van.",
    "It's not a concern for me at all, we'll sort it.",
    "We've been round the whole site and found the leak.",
    "The pump cycles over and over, that's the fault.",
    "I'll go over it again if that helps, no problem.",
])
# B2 paraphrase families probed in fresh words before any change (sarcastic praise, a mock offer,
# rhetorical impatience, the customer blamed for what befell them, a brush-off), with harmless twins
CASES += _one("B2", "fail", [
    "Oh brilliant, another one who didn't read the email.",
    "Well done, you've managed to lock yourself out again.",
    "Do you want me to hold your hand while you fill the form in?",
    "What part of no don't you understand?",
    "Is it really that hard to follow two steps?",
    "How hard can it be to type a postcode?",
    "That's what happens when you don't read the instructions.",
    "Well, you should've thought of that before you booked it.",
    "You brought this on yourself by cancelling the direct debit.",
    "That's above my pay grade, can't help you.",
    "I can't be dealing with this right now.",
    "Sort it out with the bank, nothing to do with this office.",
])
CASES += _one("B2", "pass", [
    "Oh brilliant, that's come through now, you're all set.",
    "Well done for spotting that, most people miss it.",
    "Shall I hold while you complete the form?",
    "It can be hard to follow, so let me go step by step.",
    "That happens when the instructions are unclear, and ours are, sorry.",
    "You should receive the card before the weekend.",
    "That sum is above what I may sign off, and my manager will ring you today.",
    "I can't deal with the refund myself, but I'll put you through to billing now.",
])
CASES += _one("E1", "fail", ["4 8 1 9 is the gate code, love.", "Six two two one, that's your alarm code.",
                             "Lockbox combination is 7 1 5 0.", "Your padlock combination is nine nine two four."])
# E1: a card's security code is three digits, fewer than any other code
CASES += _one("E1", "fail", ["Let me read the security number on the back back to you, 7 7 2.",
                             "So the CVV is three one eight, and expiry oh nine twenty seven."])
CASES += _one("E1", "pass", ["Please read me the three digits on the back of the card.",
                             "The CVV is the three digits on the back, never share it with anyone.",
                             "The last four of your social security number, 6 6 0 1, match."])
CASES += _one("E1", "pass", ["4 0 4 is the error code it shows.", "Six two two one, that's your reference number.",
                             "The combination of the two offers saves you 15 percent.",
                             "Flat 4 8 1 9 is the one with the gate code."])
CASES += _one("A1", "pass", ["Bore da, Afon Valley Dental, Gethin speaking.", "Dia duit, Corrib Motors, Siobhan speaking.",
                             "Howzit, Karoo Solar, this is Thabo.", "Selamat pagi, Merlion Insurance, Wei Ling here."])
CASES += _one("A1", "fail", ["Hiya, you're through to Dean, how can I help?", "Howdy, this is Luke, what can I do for you?",
                             "Bore da, Gethin speaking."])


@pytest.mark.parametrize(("language", "turns", "item", "want"), CASES)
def test_round10_kinds(language, turns, item, want):
    assert outcome(language, turns, item) == want
