"""The standard rubrics against the specialists' labels (../shared/qa-examples) and against
phrasings from other domains that no example uses: matching must generalise."""
from __future__ import annotations

import json

import pytest
from rubric_probes import PROBES
from shared_data import EXAMPLES, shared_file

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import score_call, standard_rubric
from qa_pipeline.rubric.testing import run_rubric_tests
from qa_pipeline.transcript_io import call_from_json


def test_agreement_with_the_labelled_examples():
    shared_file("qa-examples")
    agreed = {"zh": [0, 0], "en": [0, 0]}
    missed_critical = []
    for path in sorted(EXAMPLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        call = call_from_json(data, path)
        lang = "zh" if call.language.startswith("zh") else "en"
        result = score_call(call, standard_rubric(call.language), sentiment=0.0)
        got = {f.check_id: f.outcome for f in result.findings}
        for item, want in data["labels"].items():
            want = ("pass" if want else "fail") if item == "complaint" else want
            agreed[lang][0] += got[item] == want
            agreed[lang][1] += 1
            if item in ("B2", "E1") and want == "fail" and got[item] != "fail":
                missed_critical.append((call.call_id, item))
    for lang, (a, t) in agreed.items():
        assert t == 216 and a / t >= 0.97, f"{lang}: {a}/{t}"
    assert not missed_critical


@pytest.mark.parametrize("language", ["zh", "en"])
def test_inline_rubric_tests_pass(language):
    failures = [o for o in run_rubric_tests(standard_rubric(language)) if not o.ok]
    assert not failures


def outcome(language, turns, check, ring=None):
    made, t = [], 0.5
    for speaker, text in turns:
        made.append(Turn(speaker, t, t + 3.0, text))
        t += 3.5
    call = Call(CallInfo("probe", metadata={"ring_seconds": ring} if ring else {}), language, tuple(made))
    result = score_call(call, standard_rubric(language), sentiment=0.0)
    return next(f for f in result.findings if f.check_id == check).outcome


AGENT, CUSTOMER = "agent", "customer"
# Kept apart from PROBES, whose texts fingerprint the normaliser (test_rubric_fastpath).
# Issue 11, acczh3: structural rules of standard-zh (rules alone answer these).
ZH_STRUCTURAL = [
    # the organisation said between the greeting and the agent's name, whatever it ends in
    ("zh", [(AGENT, "您好 松涛高尔夫会所 我是前台小曹")], "A1", "pass"),
    ("zh", [(AGENT, "喂 你好 宏达拖车救援 工号5120")], "A1", "pass"),
    ("zh", [(AGENT, "您好 很高兴为您服务 我是前台小曹")], "A1", "fail"),
    # the need said back in the agent's words and closed by a check tag, or followed by a detail question
    ("zh", [(CUSTOMER, "车险续保的价格比去年贵了好多"), (AGENT, "明白。您是觉得今年的续保报价比去年高出不少，想看看能不能便宜点，对吗？")],
     "C2", "pass"),
    ("zh", [(CUSTOMER, "洗碗机洗完碗上全是白点"), (AGENT, "好 就是洗完的碗上都是白色水渍 那您家用的是哪种洗涤块")], "C2", "pass"),
    ("zh", [(CUSTOMER, "洗碗机洗完碗上全是白点"), (AGENT, "好的 那您家用的是哪种洗涤块")], "C2", "fail"),
    ("zh", [(CUSTOMER, "我想确认下信息"), (AGENT, "您的手机号是13800001111，对吧？")], "C2", "fail"),
    # figures of the customer's own item stated with nothing asked
    ("zh", [(CUSTOMER, "我家热水器保修还有多久"), (AGENT, "您这台热水器的质保还剩8个月。")], "C1", "fail"),
    # Issue 11, acczh4: the organisation before the greeting; the grammar of a calm grievance;
    # a number named by its document; the need said back then a detail question; disowning
    ("zh", [(AGENT, "喂 青禾驾培 你好 工号2231")], "A1", "pass"),
    ("zh", [(CUSTOMER, "说好九点来量尺寸 我在家等到中午都没见人")], "complaint", "pass"),
    ("zh", [(CUSTOMER, "门票涨价也不提前说一声 我们到了门口才知道")], "complaint", "pass"),
    ("zh", [(CUSTOMER, "为这个专门跑了一趟 结果白跑了 说实话这事儿说不过去")], "complaint", "pass"),
    ("zh", [(CUSTOMER, "我想查下借阅记录"), (AGENT, "好的 麻烦您报一下借书证号")], "C1", "pass"),
    ("zh", [(CUSTOMER, "我家扫地机老是原地打转"), (AGENT, "您家扫地机一开就在原地转圈 那您是哪一年买的")], "C2", "pass"),
    ("zh", [(CUSTOMER, "怎么还没退款"), (AGENT, "退款慢也不是我们门店的原因 您去问银行吧")], "B2", "fail"),
]


@pytest.mark.parametrize("language, turns, check, expected", ZH_STRUCTURAL,
                         ids=[f"{p[0]}-{p[2]}-{i}" for i, p in enumerate(ZH_STRUCTURAL)])
def test_structural_zh_rules_of_issue_11(language, turns, check, expected):
    assert outcome(language, turns, check) == expected


# Issue 11, accen5: critical wording that is another party's, reported, negated or a reassurance
# is no forbidden language; refusing to repeat is; what happened and when said back in a "so ..."
# clause records the details; a number read back as a question confirms the contact.
EN_STRUCTURAL = [
    ("en", [(AGENT, "I'm sorry, the fitter told you to figure it out yourself, that was wrong and I'll fix it.")], "B2", "pass"),
    ("en", [(AGENT, "The warehouse said they'd already told you about the delay, but I'll chase it for you.")], "B2", "pass"),
    ("en", [(AGENT, "Honestly, it's not your own fault at all, the letter was unclear.")], "B2", "pass"),
    ("en", [(AGENT, "I won't tell you to calm down, you've every right to be upset.")], "B2", "pass"),
    ("en", [(AGENT, "Whatever's easiest for you, a call or an email.")], "B2", "pass"),
    ("en", [(AGENT, "Figure it out yourself.")], "B2", "fail"),
    ("en", [(AGENT, "I already told you, the shop shuts at six.")], "B2", "fail"),
    ("en", [(AGENT, "That's your own fault for missing it.")], "B2", "fail"),
    ("en", [(AGENT, "Look, I'm not repeating myself, the charge stays.")], "B2", "fail"),
    ("en", [(AGENT, "We shut up shop at six, so any time before then.")], "B2", "pass"),
    ("en", [(AGENT, "You'd be better off with the other tariff, it works out cheaper.")], "B2", "pass"),
    ("en", [(AGENT, "Try a different browser next time if the page freezes, or just ring me.")], "B2", "pass"),
    ("en", [(AGENT, "It's between you and your lender which date you pick, but I can send both forms.")], "B2", "pass"),
    ("en", [(AGENT, "I'm not going to read your passcode out for you, it's safer that way.")], "B2", "pass"),
    ("en", [(AGENT, "If you had received our text you would not be calling, so I'm sorry it never came.")], "B2", "pass"),
    ("en", [(AGENT, "If you'd checked the portal you wouldn't be ringing me about it.")], "B2", "fail"),
    ("en", [(AGENT, "You'd be better off with another bank, to be honest.")], "B2", "fail"),
    ("en", [(AGENT, "You people have been so patient with us today, thank you.")], "B2", "pass"),
    ("en", [(AGENT, "I don't care what the system says, you're getting your deposit back.")], "B2", "pass"),
    ("en", [(AGENT, "I don't care, pay it or don't.")], "B2", "fail"),
    # the caller's own new number said back is no disclosure; a number nobody said is
    ("en", [(CUSTOMER, "My number's changed, it's 07700 900 417 now."),
            (AGENT, "Okay, so your mobile number is 07700 900 417, I'll pop that on.")], "E1", "pass"),
    ("en", [(CUSTOMER, "Which number have you got for my dad's flat?"),
            (AGENT, "The mobile number is 07700 900 417.")], "E1", "fail"),
    ("en", [(CUSTOMER, "I'm really unhappy, the plumber never came."),
            (AGENT, "I'm sorry. So the plumber never turned up on Wednesday morning, right?")], "D2", "pass"),
    ("en", [(CUSTOMER, "I'm really unhappy, the plumber never came."),
            (AGENT, "I'm sorry. Is 07700 900 118 your number?")], "D3", "pass"),
    ("en", [(CUSTOMER, "I'm really unhappy, the boiler keeps cutting out."),
            (AGENT, "I'm sorry. So the boiler has been cutting out since Sunday, right?")], "D2", "pass"),
    ("en", [(AGENT, "Could I take your postcode? Thanks.")], "B1", "pass"),
    ("en", [(CUSTOMER, "My laptop's been at your repair centre for ages."),
            (AGENT, "Thanks. So it went in a fortnight ago and nobody has said when it will be ready, is that right?")],
     "C2", "pass"),
    ("en", [(AGENT, "Thanks. So the courier will come tomorrow, right?")], "C2", "fail"),
]


@pytest.mark.parametrize("language, turns, check, expected", EN_STRUCTURAL,
                         ids=[f"{p[0]}-{p[2]}-{i}" for i, p in enumerate(EN_STRUCTURAL)])
def test_structural_en_rules_of_issue_11(language, turns, check, expected):
    assert outcome(language, turns, check) == expected


@pytest.mark.parametrize("language, turns, check, expected", PROBES,
                         ids=[f"{p[0]}-{p[2]}-{i}" for i, p in enumerate(PROBES)])
def test_phrasings_beyond_the_examples(language, turns, check, expected):
    assert outcome(language, turns, check) == expected
