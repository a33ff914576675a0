"""The exchange detectors of stop 32: an identifier asked and answered (C1), the customer's contact asked or
confirmed (D3), the incident said back and confirmed (D2). Probes in my own words, trades of my own.

Each probe is a short exchange; the detector is asked about the agent turn given, which must (or must not) hit.
Fails against the old code: the detectors do not exist (the imports fail).
"""
import pytest

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric.detectors import DETECTORS
from qa_pipeline.rubric.identity_exchange import contact_confirmed, identifier_answered
from qa_pipeline.rubric.incident_echo import incident_confirmed
from qa_pipeline.rubric.view import CallView

A, C = "agent", "customer"


def _at(detector, turns, index, language="en"):
    call = Call(CallInfo("probe"), language, tuple(Turn(s, float(i), float(i) + 1, t) for i, (s, t) in enumerate(turns)))
    view = CallView(call)
    return detector(view.turns[index], view)


OPEN = [(A, "Morning, Harbourside Kayaks, Nia speaking."), (C, "Hi, it's about the double kayak I hired.")]

ANSWERED = [
    # a bare question without its verb, a code read out letter by letter and digit by digit
    OPEN + [(A, "What the hire slip number?"), (C, "It's H K seven two nine.")],
    # unpunctuated, a number with a filler in it
    [(A, "harbourside kayaks nia"), (C, "hiya i want to rebook my hire"), (A, "can you read me the number off the slip"),
     (C, "uh seven seven two um four one nine")],
    # a name asked clipped: the short answer is the name
    OPEN + [(A, "Surname on the hire?"), (C, "Oduya. I was out on Sunday.")],
    # an address asked: the first sentence of the answer is the address
    OPEN + [(A, "Which street is it going to, please?"), (C, "Nine Quarry Row. Round the back.")],
    # an e-mail address read out
    OPEN + [(A, "Which email did you book with?"), (C, "sam dot oduya at outlook dot com")],
]

NOT_ANSWERED = [
    # the agent's own name in the opening asks nothing
    ([(A, "Hi, my name is Nia, what can I do for you?"), (C, "Tomasz here.")], 0),
    # a question answered without an identifier's shape
    (OPEN + [(A, "How many paddles do you need?"), (C, "Two, and a dry bag.")], 2),
    # a number asked for reaching someone is the contact (D3), not an identifier
    (OPEN + [(A, "Which number should the driver ring?"), (C, "Zero seven seven one, four four two nine.")], 2),
    # a statement naming a street is no question about the address
    (OPEN + [(A, "We moved to Quay Street last spring, next to the chandlery."), (C, "Oh lovely.")], 2),
]


COMPLAINT = [(A, "Greenway Boilers, Raj speaking."), (C, "Your engineer left the boiler leaking and I'm fed up.")]

CONTACT = [
    # the one ending N, with no channel word at all
    COMPLAINT + [(A, "if we need you well text the one ending three three eight yeah"), (C, "yeah")],
    # a bare question for the customer's cell
    COMPLAINT + [(A, "fine a fitter comes thursday whats your cell"), (C, "oh seven nine one")],
    # which e-mail the reply should go to, put as the agent's plan
    COMPLAINT + [(A, "And which email should the report go to?"), (C, "The work one, please.")],
    # the channel named without "your", the customer claims it
    COMPLAINT + [(A, "Is this the number the fitter can use?"), (C, "Yes, that's my mobile.")],
]

NOT_CONTACT = [
    # a number asked to look the record up
    (COMPLAINT + [(A, "Could you give me your account number so I can bring the job up?"), (C, "G B four one two.")], 2),
    # someone else's number for the customer to ring themselves
    (COMPLAINT + [(A, "Please note the installer's number and ring him yourself, zero one two three four."),
                  (C, "Right.")], 2),
    # an order number is no contact
    (COMPLAINT + [(A, "What's your order number?"), (C, "Four four one.")], 2),
    # the company's own e-mail on its website
    (COMPLAINT + [(A, "You can send photos to the email on our website."), (C, "Okay.")], 2),
]


INCIDENT = [
    # a read-back with no check form, the past time in it, confirmed by a plain "yes"
    [(A, "Castle Dry Cleaners."), (C, "You shrank my wool coat, I collected it on Friday and the sleeves are short."),
     (A, "So the wool coat came back on Friday with the sleeves shrunk."), (C, "Yes.")],
    # the time given in the customer's confirmation
    [(A, "Castle Dry Cleaners."), (C, "My silk dress came back with a burn mark on the collar."),
     (A, "Right, the silk dress has a burn mark on the collar, is that it?"), (C, "That's right, I noticed it yesterday.")],
]

NOT_INCIDENT = [
    # confirmed, but no time anywhere
    ([(A, "Castle Dry Cleaners."), (C, "My silk dress came back with a burn mark on the collar."),
      (A, "Right, the silk dress has a burn mark on the collar."), (C, "That's right.")], 2),
    # a time, but the customer does not confirm
    ([(A, "Castle Dry Cleaners."), (C, "You shrank my wool coat, I collected it on Friday."),
      (A, "So the wool coat came back on Friday shrunk."), (C, "No, it was Saturday.")], 2),
    # "yes" to the agent's plan is consent, not a confirmation
    ([(A, "Castle Dry Cleaners."), (C, "You shrank my wool coat, I collected it on Friday."),
      (A, "The wool coat from Friday, I'll send it to our repairer."), (C, "Yes.")], 2),
]


CASES = ([(identifier_answered, t, len(t) - 2, True) for t in ANSWERED]
         + [(identifier_answered, t, i, False) for t, i in NOT_ANSWERED]
         + [(contact_confirmed, t, len(t) - 2, True) for t in CONTACT]
         + [(contact_confirmed, t, i, False) for t, i in NOT_CONTACT]
         + [(incident_confirmed, t, len(t) - 2, True) for t in INCIDENT]
         + [(incident_confirmed, t, i, False) for t, i in NOT_INCIDENT])


@pytest.mark.parametrize("detector,turns,index,found", CASES)
def test_exchange(detector, turns, index, found):
    assert (_at(detector, turns, index) is not None) == found


def test_detectors_registered():
    for name in ("identifier_answered", "contact_confirmed", "incident_confirmed"):
        assert name in DETECTORS


ZH_OPEN = [(A, "您好，青禾家政，很高兴为您服务。"), (C, "你好，我上周约的保洁阿姨没来。")]


@pytest.mark.parametrize("turns", [
    ZH_OPEN + [(A, "您预约时留的手机号是多少？"), (C, "一五九零三三八七七二一。")],
    ZH_OPEN + [(A, "麻烦说一下预约人的名字。"), (C, "周晓岚。")],
])
def test_zh_identifier_answered_found(turns):
    assert _at(identifier_answered, turns, 2, "zh") is not None


@pytest.mark.parametrize("turns", [
    # a number to call back on is the contact (D3)
    ZH_OPEN + [(A, "阿姨到了给您回电，打哪个号码？"), (C, "一五九零三三八七七二一。")],
    # "please hold" asks for nothing
    ZH_OPEN + [(A, "我查一下，麻烦您稍等。"), (C, "好，订单是二零二四零八。")],
    # a question answered without an identifier's shape
    ZH_OPEN + [(A, "您想改到哪天？"), (C, "下周六上午吧。")],
])
def test_zh_identifier_answered_not_found(turns):
    assert _at(identifier_answered, turns, 2, "zh") is None
