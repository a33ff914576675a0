"""standard-en on the way real written support and real callers say things (issue 11, realen):
a complaint without the word "complain", a case the team ("we", a named department, a persona
name) takes on, an identifier asked for by private message or given by the customer unasked, what
happened asked for and the time given in the answer. Every case is the rules' answer
(``rules_only``); the texts are written for these tests across industries, none from a labelled call.
"""
from __future__ import annotations

import pytest
from test_rubric_standard import AGENT, CUSTOMER, outcome

# A customer's turn the complaint trigger must take on the rules alone, and ordinary talk it must not.
# (Each "pass" case below failed on the rubric before this change; the "fail" cases are guards.)
COMPLAINTS = [
    "Honestly I was speechless when the hire car turned up with no spare tyre.",
    "The signal in our office block has been poor for weeks.",
    "The staff at the Leeds branch were extremely unhelpful on Saturday.",
    "The kettle has stopped heating and it's not even two months old.",
    "I've only had it three weeks and the lid has already cracked.",
    "It is less than a year since we bought the dryer and it won't spin.",
    "I want a proper explanation for these roaming charges.",
    "Stop cheating your customers with hidden admin fees.",
    "I rang the depot four times and they never picked up.",
    "Why haven't you replied to any of my three emails?",
    "It is so annoying, the app logs me out every hour.",
    "The cottage was nothing like the photos on your site.",
    "If this carries on I'm switching to another provider.",
    "You lot are so careless, the invoice has the wrong name again.",
    "We got to the hall at nine and there was nobody there to let us in.",
]
NOT_COMPLAINTS = [
    "Could you tell me when the pool opens on Sundays?",
    "The engineer came this morning and it all works now, thanks.",
    "I've only got one question about the renewal letter.",
    "Why did you call me earlier, was it about the appointment?",
    "The room was lovely and the staff were really helpful.",
]


@pytest.mark.parametrize("text", COMPLAINTS)
def test_written_complaints_are_decided_by_the_rules(rules_only, text):
    assert outcome("en", [(CUSTOMER, text)], "complaint") == "pass"


@pytest.mark.parametrize("text", NOT_COMPLAINTS)
def test_ordinary_talk_is_no_complaint(rules_only, text):
    assert outcome("en", [(CUSTOMER, text)], "complaint") == "fail"


_UPSET = (CUSTOMER, "This is unacceptable, my order is a week late and I'm fed up.")
OWNERSHIP = [
    ([_UPSET, (AGENT, "Sorry about that. Our delivery team will look into it today.")], "pass"),
    ([_UPSET, (AGENT, "Sorry. It has been logged and passed to the couriers team.")], "pass"),
    ([_UPSET, (AGENT, "Apologies. Priya will check the tracking and chase it for you.")], "pass"),
    ([_UPSET, (AGENT, "Sorry. I've fed this back to the warehouse department.")], "pass"),
    ([_UPSET, (AGENT, "Sorry. Please send us your order number so that we can verify it.")], "pass"),
    ([_UPSET, (AGENT, "Sorry. DM us the tracking code so we can try our best to chase the courier.")], "pass"),
    # the customer's own errand and a bare promise of contact are no ownership
    ([_UPSET, (AGENT, "Sorry. You will need to check this with the seller yourself.")], "fail"),
    ([_UPSET, (AGENT, "Sorry. We will contact you.")], "fail"),
    ([_UPSET, (AGENT, "Sorry. We will not be able to look into it this week.")], "fail"),
]


@pytest.mark.parametrize("turns, expected", OWNERSHIP)
def test_ownership_in_written_support_style(rules_only, turns, expected):
    assert outcome("en", turns, "D5") == expected


IDENTITY = [
    # asked by private message, or "you can send us …"
    ([(AGENT, "Sorry to hear that, could you DM us your order number?")], "pass"),
    ([(AGENT, "You can send us your service number by private message.")], "pass"),
    ([(AGENT, "Please tell us your installation address via private message.")], "pass"),
    # named back as the one looked up
    ([(CUSTOMER, "It's about parcel 4471."),
      (AGENT, "I checked the reference you gave me and it is at the depot.")], "pass"),
    # given by the customer before the agent acts on the record; after it, too late
    ([(CUSTOMER, "Hi, my account number is 55120937, the direct debit went out twice."),
      (AGENT, "I can see both payments on your account, I'll refund one.")], "pass"),
    ([(AGENT, "I can see your account here, the payment went out twice."),
      (CUSTOMER, "Oh and my account number is 55120937 by the way.")], "fail"),
]


@pytest.mark.parametrize("turns, expected", IDENTITY)
def test_identity_in_written_support_style(rules_only, turns, expected):
    assert outcome("en", turns, "C1") == expected


DETAILS = [
    # what happened asked for, and the answer gives the time
    ([_UPSET, (AGENT, "Sorry. Could you describe what went wrong with the delivery?"),
      (CUSTOMER, "The driver left it in the rain on Tuesday.")], "pass"),
    ([_UPSET, (AGENT, "Sorry. Could you describe what went wrong with the delivery?"),
      (CUSTOMER, "The driver left it in the rain.")], "fail"),
    # the time first in a "so …" say-back
    ([_UPSET, (AGENT, "Sorry. So this morning at eight the van was empty and nobody rang you, right?")], "pass"),
    ([_UPSET, (AGENT, "Sorry. So ever since you collected it last Friday the screen flickers, correct?")], "pass"),
    # a date for the future is no incident time
    ([_UPSET, (AGENT, "Sorry. So on Friday the new one will be delivered, right?")], "fail"),
]


@pytest.mark.parametrize("turns, expected", DETAILS)
def test_details_recorded_in_real_style(rules_only, turns, expected):
    assert outcome("en", turns, "D2") == expected


RESTATEMENTS = [
    "Do you mean that you were charged for two lines?",
    "So you were checking whether the refund has gone through, and yes, it went out on Monday.",
    "So just so I have it all: the meter was read twice in March and the second reading is too high.",
    "Right, so the heating goes off every night and you'd like someone out, is that it?",
]


@pytest.mark.parametrize("said", RESTATEMENTS)
def test_restatements_in_other_shapes_confirm_the_need(rules_only, said):
    assert outcome("en", [(CUSTOMER, "The bill is wrong."), (AGENT, said)], "C2") == "pass"


def test_advice_is_no_restatement(rules_only):
    advice = [(CUSTOMER, "The phone is slow."), (AGENT, "You are suggested to restart it every week.")]
    assert outcome("en", advice, "C2") == "fail"


def test_contact_asked_in_written_support_style(rules_only):
    said = [_UPSET, (AGENT, "Sorry. Please send us your contact method by private message.")]
    assert outcome("en", said, "D3") == "pass"
    said = [_UPSET, (AGENT, "Sorry. Which number should we SMS the new slot to?")]
    assert outcome("en", said, "D3") == "pass"


# Batch 2 of the real English threads (realen2): more kinds of written complaint, an open invitation
# to later questions, the case said to be in hand now, and a number asked by a qualified name. Each
# "pass" case failed on the rubric before this change; the others are guards.
MORE_COMPLAINTS = [
    "Honestly the parcel tracking on your app really sucks.",
    "Charging a late fee when the post office lost my cheque is so unfair.",
    "Cutting the water off without a single letter was totally out of line.",
    "Carry on like this and you will lose another customer.",
    "My patience is wearing thin with this whole claim.",
    "Please give me a reasonable explanation for the admin fee.",
]
STILL_NOT_COMPLAINTS = [
    "The new vacuum sucks up the dog hair nicely, thanks.",
    "Is it fair to assume the pool opens at six on Sundays?",
    "That explanation sounds reasonable, thank you.",
]


@pytest.mark.parametrize("text", MORE_COMPLAINTS)
def test_more_written_complaints_are_decided_by_the_rules(rules_only, text):
    assert outcome("en", [(CUSTOMER, text)], "complaint") == "pass"


@pytest.mark.parametrize("text", STILL_NOT_COMPLAINTS)
def test_ordinary_talk_with_those_words_is_no_complaint(rules_only, text):
    assert outcome("en", [(CUSTOMER, text)], "complaint") == "fail"


_ASK = (CUSTOMER, "How do I change the delivery address on my order?")
INVITATIONS = [
    # An open invitation to any later question ("should you run into trouble later, message us") is
    # what the written-channel labels accept, but on a phone call the form wants the question asked
    # (taken out at merge for all channels: the phone calls of the never-tuned real set lost three C3
    # items with it; realen3 counts it under a public post only, tested below). These turns follow a
    # call's question (no @), so none counts; an offer about the same matter only, and a greeting
    # question, are no invitation to more either way:
    ("Open the order page and tap Edit. Should you run into any trouble later, message us any time.", "fail"),
    ("It is under Edit on the order page. If you have any problems with this, reply here.", "fail"),
    ("Hello, what can I do to help you today?", "fail"),
]


@pytest.mark.parametrize("said, expected", INVITATIONS)
def test_open_invitations_in_written_support(rules_only, said, expected):
    assert outcome("en", [_ASK, (AGENT, said)], "C3") == expected


IN_HAND = [
    ([_UPSET, (AGENT, "Sorry. Our billing team is currently looking into it.")], "pass"),
    ([_UPSET, (AGENT, "Sorry. Your claim is being reviewed by the assessors.")], "pass"),
    ([_UPSET, (AGENT, "Sorry. We will note the details and then forward them to our staff to check.")], "pass"),
    ([_UPSET, (AGENT, "Sorry. Please send your account number for a further check.")], "pass"),
    ([_UPSET, (AGENT, "Sorry. Our staff are all busy, please ring again later.")], "fail"),
]


@pytest.mark.parametrize("turns, expected", IN_HAND)
def test_a_case_said_to_be_in_hand_is_ownership(rules_only, turns, expected):
    assert outcome("en", turns, "D5") == expected


def test_a_number_asked_by_a_qualified_name_is_a_contact_detail(rules_only):
    said = [_UPSET, (AGENT, "Sorry. Please message us the Vodafone mobile number on the account.")]
    assert outcome("en", said, "D3") == "pass"
    said = [_UPSET, (AGENT, "Sorry. You can find the store's phone number on our website.")]
    assert outcome("en", said, "D3") == "fail"


def test_a_question_offered_on_the_matter_in_hand_is_no_open_invitation(rules_only):
    said = "It is under Edit. If you have any question on the delivery charge, send us the order number."
    assert outcome("en", [_ASK, (AGENT, said)], "C3") == "fail"


def test_a_case_passed_to_staff_who_will_follow_it_up_is_ownership(rules_only):
    said = [_UPSET, (AGENT, "Sorry. The details were noted, then Sam forwarded them to relevant engineers and they will check it.")]
    assert outcome("en", said, "D5") == "pass"


# Batch 3 of the real English threads (realen3), half A's kinds of complaint: exasperation said as
# a breakdown ("I'm losing my mind"), responsibility pushed elsewhere, nothing done after the
# customer reported it before, a rhetorical "how am I supposed to …", and the company called a
# name in a question. Each "pass" case failed on the rubric before this change; the others are guards.
HALF_A_COMPLAINTS = [
    "The parking app has charged me twice again, it is driving me mad.",
    "I am at my wits' end with this leaking skylight.",
    "Three weeks without a working boiler, I am losing my mind.",
    "The shop blames the courier, the courier blames the shop, everyone is passing the buck.",
    "Why do your branches keep shifting the responsibility onto each other?",
    "The site manager shirked all responsibility for the flooded basement.",
    "I reported the broken streetlight three times and nothing was done.",
    "I complained about the meter on two calls, but nothing got sorted.",
    "How am I supposed to run my shop without a card reader all weekend?",
    "How can we live without hot water over the holidays?",
    "Are you bandits or a phone company?",
    "Is this a joke? The replacement kettle leaks too.",
    "Is Northway Rail a rogue, selling seats on trains that never run?",
    "Your update wiped my thesis draft. I totally crashed!!!",
]
HALF_A_NOT_COMPLAINTS = [
    "How can I log in without my old password?",
    "Is this the right number for the lost property office?",
    "Who is responsible for the parcel once it has been signed for?",
    "I reported my card lost this morning, can you check the block went through?",
    "Nothing was damaged in the move, I only need the invoice.",
    "Can I shift my appointment to Friday?",
    "I crashed my scooter, does my policy cover the repair?",
    "I collapsed at work so I missed the delivery, can it come tomorrow?",
]


@pytest.mark.parametrize("text", HALF_A_COMPLAINTS)
def test_half_a_kinds_of_written_complaint(rules_only, text):
    assert outcome("en", [(CUSTOMER, text)], "complaint") == "pass"


@pytest.mark.parametrize("text", HALF_A_NOT_COMPLAINTS)
def test_questions_near_those_kinds_are_no_complaint(rules_only, text):
    assert outcome("en", [(CUSTOMER, text)], "complaint") == "fail"


# C3 in a public written thread (realen3). Under a post that tags the company ("@…"), an open
# invitation to later or other questions is how a written helpdesk offers more help: the agent cannot
# wait for an answer (the written-channel labels accept it). On a phone call the form wants the question
# asked, so the same words do not count there; an offer about the matter in hand counts in neither.
_POST = (CUSTOMER, "@ParcelPoint the tracking on my parcel stopped updating two days ago")
_CALL = (CUSTOMER, "Hi, the tracking on my parcel stopped updating two days ago.")
_ANSWER = "It was held at the depot and goes out today."
PUBLIC_INVITATIONS = [
    ("If you run into any trouble in the future, just drop us a message here.", "pass"),
    ("Should you need any help afterwards, you can write to us any time.", "pass"),
    ("For any queries, our chat team is here every day.", "pass"),
    # about the matter in hand only
    ("If you still have any problems later, send us the order number.", "fail"),
    ("If you need any help with the redelivery, message us any time.", "fail"),
    ("For any questions about this parcel, reply with the tracking code.", "fail"),
]


@pytest.mark.parametrize("said, expected", PUBLIC_INVITATIONS)
def test_an_open_invitation_under_a_public_post_offers_more_help(rules_only, said, expected):
    assert outcome("en", [_POST, (AGENT, f"{_ANSWER} {said}")], "C3") == expected


@pytest.mark.parametrize("said", [s for s, expected in PUBLIC_INVITATIONS if expected == "pass"])
def test_the_same_invitation_on_a_call_does_not_ask_the_question(rules_only, said):
    assert outcome("en", [_CALL, (AGENT, f"{_ANSWER} {said}")], "C3") == "fail"


def test_an_email_address_does_not_make_a_public_thread(rules_only):
    call = (CUSTOMER, "Hi, it is jo@example.com, the tracking on my parcel stopped updating.")
    said = "Should you need any help afterwards, you can write to us any time."
    assert outcome("en", [call, (AGENT, f"{_ANSWER} {said}")], "C3") == "fail"


# Written ownership, half A of batch 3 (realen3): someone already asked to handle the case, and a
# named head or manager who will note it and feed it back. Each "pass" failed on the rubric before.
HANDED_ON = [
    ([_UPSET, (AGENT, "Sorry. We have asked the depot staff to handle it first thing tomorrow.")], "pass"),
    ([_UPSET, (AGENT, "Sorry. The head of the branch will note it down and feed it back.")], "pass"),
    ([_UPSET, (AGENT, "Sorry. We have checked it and asked an engineer to fix the line.")], "pass"),
    ([_UPSET, (AGENT, "Sorry. Mia has logged the fault in detail and transferred it to the repairs desk.")], "pass"),
    ([_UPSET, (AGENT, "Sorry. We have asked you to send the form twice already.")], "fail"),
    ([_UPSET, (AGENT, "Sorry. The head office will not handle refunds for this.")], "fail"),
]


@pytest.mark.parametrize("turns, expected", HANDED_ON)
def test_a_case_handed_on_or_noted_by_a_head_is_ownership(rules_only, turns, expected):
    assert outcome("en", turns, "D5") == expected


# Batch 3 half B's kinds (realen3, after half A's rules were checked on half B): something done to the
# account the customer never agreed to, "ripped off", the company's handling questioned "on earth",
# and a product said to be unworthy of its name. Each "pass" failed on the rubric before; the rest guard.
HALF_B_COMPLAINTS = [
    "Two add-ons appeared on my bill that were never ordered by me.",
    "You moved me to the premium plan without my consent.",
    "Deducting the points like that goes against the customers' will.",
    "Forty pounds for a cracked phone case, I feel ripped off.",
    "The agency ripped us off with that cleaning fee.",
    "What did your engineers do on earth, the heating is worse than before?",
    "With this lag the tablet can't be called a smart device any more.",
]
HALF_B_NOT_COMPLAINTS = [
    "I ripped off the label by mistake, can I still return the shirt?",
    "What on earth do I need to bring to the appointment?",
    "Can I pay the deposit without my partner's card?",
    "Is it called a smart meter because it sends the readings itself?",
]


@pytest.mark.parametrize("text", HALF_B_COMPLAINTS)
def test_half_b_kinds_of_written_complaint(rules_only, text):
    assert outcome("en", [(CUSTOMER, text)], "complaint") == "pass"


@pytest.mark.parametrize("text", HALF_B_NOT_COMPLAINTS)
def test_questions_near_half_b_kinds_are_no_complaint(rules_only, text):
    assert outcome("en", [(CUSTOMER, text)], "complaint") == "fail"


def test_an_invitation_to_other_feedback_under_a_public_post_offers_more_help(rules_only):
    said = f"{_ANSWER} You are welcome to message us with any other suggestions or comments."
    assert outcome("en", [_POST, (AGENT, said)], "C3") == "pass"
    assert outcome("en", [_CALL, (AGENT, said)], "C3") == "fail"


def test_details_asked_in_order_to_resolve_the_case_are_ownership(rules_only):
    said = [_UPSET, (AGENT, "Sorry. To resolve your problem quickly, please message us your order number.")]
    assert outcome("en", said, "D5") == "pass"
    said = [_UPSET, (AGENT, "Sorry. To resolve your problem, please visit the store with the receipt.")]
    assert outcome("en", said, "D5") == "fail"


# Stop 32 (real32). A public thread (a post tagging the company, and the replies under it) is one
# grievance, as standard-zh already reads it: the D items count the agent's replies from the
# customer's opening post, even when the words the trigger knows come only in a later post. On a
# call (no @) the D items still count from the complaint itself.
def _late_grievance(tag):
    return [(CUSTOMER, f"{tag}the showers at the gym have only had cold water this week"),
            (AGENT, "Hello, we are sorry for the trouble. Our facilities team will look into it today."),
            (CUSTOMER, "Still nothing fixed after a whole week, this is unacceptable.")]


def test_in_a_public_thread_the_d_items_count_from_the_opening_post(rules_only):
    public = _late_grievance("@Anytown Fitness ")
    assert outcome("en", public, "complaint") == "pass"
    assert outcome("en", public, "D1") == "pass"
    assert outcome("en", public, "D5") == "pass"


def test_on_a_call_the_d_items_still_count_from_the_complaint(rules_only):
    call = _late_grievance("")
    assert outcome("en", call, "complaint") == "pass"
    assert outcome("en", call, "D1") == "fail"
    assert outcome("en", call, "D5") == "fail"


# The customer's own number or account asked by private message, the number named by its carrier,
# line or service rather than by a listed kind (real threads: "your <carrier> number"); a contact
# number alone, or feedback asked by DM, is no identifier.
DM_IDENTIFIERS = [
    ("Sorry for this. Please provide your Telstra number and a contact number via private message.", "pass"),
    ("Please send us your broadband line number by DM so that we can look into the charge.", "pass"),
    ("If convenient, please give the affected business number, your name and a way to reach you by private message.", "pass"),
    ("Could you private message us your member number?", "pass"),
    ("Please send your feedback via private message, thank you.", "na"),
    ("Please leave your contact number by private message and the local team will call you.", "na"),
]


@pytest.mark.parametrize("said, expected", DM_IDENTIFIERS)
def test_an_identifier_asked_by_private_message(rules_only, said, expected):
    turns = [(CUSTOMER, "@Some Telecom why is there a charge on my bill I never agreed to"), (AGENT, said)]
    assert outcome("en", turns, "C1") == expected


# A phone agent narrating a search ("let me see if I can find ...") restates nothing (C2); "let me see if
# I have this right: ..." does.
@pytest.mark.parametrize("said, expected", [
    ("Let me see if I can find you an earlier train on Friday.", "fail"),
    ("Let me see if I have this right, the boiler stops every night since Monday?", "pass"),
])
def test_narrating_a_search_is_no_restatement(rules_only, said, expected):
    turns = [(CUSTOMER, "My boiler stops every night."), (AGENT, said)]
    assert outcome("en", turns, "C2") == expected
