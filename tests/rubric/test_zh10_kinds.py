"""Issue 11, zh10: kinds of miss on the Mandarin tuning calls (holdout9's first half), each written
here in other industries and words than the calls it came from, with a harmless twin.

B2 (CRITICAL): the rhetorical reproach put to the customer — "couldn't you have … first?" (就不能先…),
"why didn't you … back then" (那会儿怎么不…), "where were you earlier" (早干嘛去了), "what's the use of
raising it now" — and, the other way, a say-back closed by a bare check tag or an anything-else
question, which the classifier read as breaches. C1: the closing's 注意安全 and 再见, run together,
are no 安全起见. C2: a recap announced with a verb of checking over (我再过一遍 您…), and a say-back
holding an amount (three digits are no identifier). C3: "anything left you want to V" as a 还有没有
question ending in 的. C5: a step done for the customer with an adverb before the verb (给您另外登记了)
is the resolution. D2: the incident's date read from the record with the act right after it.
D3: the callback number named by when it was left. D5: a request filed for the customer and the
decision passed on when it comes.
"""
from __future__ import annotations

import pytest
from test_rubric_standard import AGENT, CUSTOMER, finding

_GRIPE = (CUSTOMER, "你们这暖气片漏水都三天了还没人来修 太不像话了")
_DONE = [(AGENT, "已经帮您改好了"), (CUSTOMER, "好")]

ZH10_RULES = [
    # B2: rhetorical reproach (rules decide: they must find it)
    ([(AGENT, "您交押金那会儿就不能先把退租条款看一看吗")], "B2", "fail"),
    ([(AGENT, "这批货您验收那会儿咋不仔细查查")], "B2", "fail"),
    ([(AGENT, "早干啥去了 保修都过了才打电话")], "B2", "fail"),
    ([(AGENT, "事情过去这么久了 现在再来计较有什么用")], "B2", "fail"),
    # C3
    ([*_DONE, (AGENT, "那您还有没有想打听的")], "C3", "pass"),
    ([*_DONE, (AGENT, "您还有没有要我帮着查的")], "C3", "pass"),
    ([*_DONE, (AGENT, "还有没有别的尺码 我帮您看看库存")], "C3", "fail"),
    ([*_DONE, (AGENT, "还有没有要带的材料 我发短信给您")], "C3", "fail"),
    # C2
    ([(CUSTOMER, "我想换双靴子"), (AGENT, "我先过一遍 您这回是要把那双运动鞋换成冬天穿的靴子")], "C2", "pass"),
    ([(CUSTOMER, "差价怎么算"), (AGENT, "您要补的是两百六的差价 对吗")], "C2", "pass"),
    ([(CUSTOMER, "帮我查下"), (AGENT, "我核一下 您的手机号是幺三八幺二三四五六七八 对吧")], "C2", "fail"),
    # D2, D3, D5 after a complaint
    ([_GRIPE, (AGENT, "抱歉 系统里是上月十二号报的修 对吧")], "D2", "pass"),
    ([_GRIPE, (AGENT, "抱歉 我们十五号之前派人过去")], "D2", "fail"),
    ([_GRIPE, (AGENT, "抱歉 明天上午维修组打您登记时留的那个号")], "D3", "pass"),
    ([_GRIPE, (AGENT, "抱歉 麻烦报一下登记时留的号码 我查下工单")], "D3", "fail"),
    ([_GRIPE, (AGENT, "抱歉 我先帮您提个补偿申请")], "D5", "pass"),
    ([_GRIPE, (AGENT, "抱歉 批复下来会第一时间告诉您")], "D5", "pass"),
    ([_GRIPE, (AGENT, "抱歉 补偿申请得您自己去物业递")], "D5", "fail"),
]


@pytest.mark.parametrize("turns, check, expected", ZH10_RULES,
                         ids=[f"{p[1]}-{i}" for i, p in enumerate(ZH10_RULES)])
def test_zh10_kinds_decided_by_the_rules(turns, check, expected):
    found = finding("zh", turns, check)
    assert found.outcome == expected, found.rule
    if expected == "fail" and check == "B2" or expected == "pass" and check != "B2":
        assert "learned" not in found.rule, found.rule


# The harmless twins of B2: none may zero the call, whoever decides.
ZH10_HARMLESS = [
    "您交押金之前看过退租条款吗 没看过的话我读给您听",
    "退租以后您就不能查这份合同了 建议先下载保存",
    "这个功能有什么用 我给您简单说说",
    "您是想把暖气费按面积重新核算 是这么回事吧",
    "好嘞 您那头还有没有想咨询的",
    # the classifier judged these two breaches (打听, "ask around", read as prying)
    "没事儿，您那头还有没有想打听的？",
    "行，那您还有没有啥想打听的？",
]


@pytest.mark.parametrize("text", ZH10_HARMLESS)
def test_zh10_harmless_twins_are_no_breach(text):
    assert finding("zh", [(CUSTOMER, "我想问个事"), (AGENT, text)], "B2").outcome == "pass"


def test_closing_safety_wish_touches_no_account():
    turns = [(AGENT, "您好 市图书馆 工号幺二三 请问有什么可以帮您"), (CUSTOMER, "今天几点闭馆"),
             (AGENT, "晚上九点闭馆 天黑了注意人身安全 再见")]
    assert finding("zh", turns, "C1").outcome == "na"


def test_step_done_with_an_adverb_is_the_resolution_for_the_order():
    turns = [(AGENT, "您好 某某商城 我是小王 请问有什么可以帮您"), (CUSTOMER, "退款一直没到账"),
             (AGENT, "订单号麻烦报给我"), (CUSTOMER, "幺二三四五六"),
             (AGENT, "行 那笔退款给您另外登记了"),
             (AGENT, "我总结下 您关心的是那笔退款怎么还没回来 对吧"), (CUSTOMER, "对"),
             (AGENT, "还有其他问题吗"), (CUSTOMER, "没了"), (AGENT, "感谢您的来电 再见")]
    assert finding("zh", turns, "C5").outcome == "fail"


# Kinds of holdout9's second half (read only after the first half's fixes were measured on it),
# again in other words and industries.
ZH10_SECOND_HALF = [
    # B2: "explained it clearly from the start" as a resultative, the fault put on the customer bare,
    # refusing to go over it with them again
    ([(AGENT, "操作步骤我一开始就跟您说明白了 后面您照着做就行")], "B2", "fail"),
    ([(AGENT, "您自己没保管好收据 这个补不了")], "B2", "fail"),
    ([(AGENT, "我这边也没法陪您一遍遍试")], "B2", "fail"),
    # C3: 的 optional, 我 and an adverb before any verb
    ([*_DONE, (AGENT, "您那头还有啥要我顺便办的吗")], "C3", "pass"),
    ([*_DONE, (AGENT, "您看还有其他要打听吗")], "C3", "pass"),
    ([*_DONE, (AGENT, "您还有要补交的材料吗")], "C3", "fail"),
    # D5: a head named by the unit they run; the customer sent to one themselves
    ([_GRIPE, (AGENT, "抱歉 这个情况我会转给片区站长")], "D5", "pass"),
    ([_GRIPE, (AGENT, "抱歉 麻烦您直接去找网点的负责人处理")], "D5", "fail"),
    # D3: a third party's number sent to the customer is no contact of theirs
    ([_GRIPE, (AGENT, "抱歉 网点的号码稍后发短信告诉您 您直接联系他们")], "D3", "fail"),
    ([_GRIPE, (AGENT, "抱歉 回头我们打您的手机联系您")], "D3", "pass"),
    # D2: a verb of checking with the time
    ([_GRIPE, (AGENT, "抱歉 我核对一下 前天夜里十一点过后暖气就不热了 对吗")], "D2", "pass"),
]


@pytest.mark.parametrize("turns, check, expected", ZH10_SECOND_HALF,
                         ids=[f"{p[1]}-{i}" for i, p in enumerate(ZH10_SECOND_HALF)])
def test_zh10_second_half_kinds(turns, check, expected):
    found = finding("zh", turns, check)
    assert found.outcome == expected, found.rule
    if expected == "fail" and check == "B2" or expected == "pass" and check != "B2":
        assert "learned" not in found.rule, found.rule
