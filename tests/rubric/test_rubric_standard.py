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


def finding(language, turns, check, ring=None):
    made, t = [], 0.5
    for speaker, text in turns:
        made.append(Turn(speaker, t, t + 3.0, text))
        t += 3.5
    call = Call(CallInfo("probe", metadata={"ring_seconds": ring} if ring else {}), language, tuple(made))
    result = score_call(call, standard_rubric(language), sentiment=0.0)
    return next(f for f in result.findings if f.check_id == check)


def outcome(language, turns, check, ring=None):
    return finding(language, turns, check, ring).outcome


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
    # Issue 11, acczh5: the organisation before the agent named by role; a name ending in 服务
    ("zh", [(AGENT, "您好 山野露营地 客服小范 为您服务")], "A1", "pass"),
    ("zh", [(AGENT, "您好 安心管道疏通服务 工号3320")], "A1", "pass"),
    ("zh", [(AGENT, "您好 很高兴为您服务 客服小范")], "A1", "fail"),
    ("zh", [(AGENT, "您好 青松陵园服务处 我是顾问2207号 请讲")], "A1", "pass"),
    # hedged dissatisfaction and "this should not happen" against the conditional
    ("zh", [(CUSTOMER, "游泳课的排课我不太满意 总是临时调")], "complaint", "pass"),
    ("zh", [(CUSTOMER, "这种低级错误本来就不该出现吧")], "complaint", "pass"),
    ("zh", [(CUSTOMER, "要是孩子学得不太满意 能换老师吗")], "complaint", "fail"),
    # "I explained already" with other verbs, as a rhetorical question; asking again changes nothing;
    # the customer's own words acknowledged are not
    ("zh", [(CUSTOMER, "那押金到底怎么退"), (AGENT, "办卡流程我开头不是跟您解释过了吗")], "B2", "fail"),
    ("zh", [(CUSTOMER, "能不能快点"), (AGENT, "您再催几遍也没用 排期就这样")], "B2", "fail"),
    ("zh", [(CUSTOMER, "导游态度很差"), (AGENT, "导游是外面请的 这个事您得直接去找他们公司")], "B2", "fail"),
    ("zh", [(CUSTOMER, "导游态度很差"), (AGENT, "这个事您得给我们一点时间 我来找导游公司核实")], "B2", "pass"),
    ("zh", [(CUSTOMER, "房号是1203"), (AGENT, "您刚才已经讲过了 我这就给您登记")], "B2", "pass"),
    ("zh", [(CUSTOMER, "地址改好了吗"), (AGENT, "改好了 快递站那边我早上已经说过了 他们下午按新地址送")], "B2", "pass"),
    # the curt anything-else is one; a question about the case is not
    ("zh", [(AGENT, "已经改好了"), (CUSTOMER, "好"), (AGENT, "行 还有事吗")], "C3", "pass"),
    ("zh", [(AGENT, "已经登记了"), (CUSTOMER, "好"), (AGENT, "还有事故现场的照片吗")], "C3", "fail"),
    # thanks for holding, or thanks before the anything-else question, is no closing thanks
    ("zh", [(AGENT, "谢谢您的耐心等待 预约已经改到周四了"), (CUSTOMER, "好"), (AGENT, "好 再见")], "C4", "fail"),
    ("zh", [(AGENT, "谢谢您的支持 请问还有别的问题吗"), (CUSTOMER, "没有"), (AGENT, "好的 再见")], "C4", "fail"),
    ("zh", [(AGENT, "请问还有别的问题吗"), (CUSTOMER, "没有"), (AGENT, "好的 谢谢您的来电 再见")], "C4", "pass"),
    # dialect check tags and an announced summary; colloquial "when"; an identifier named by when it was given
    ("zh", [(CUSTOMER, "暖气片不热"), (AGENT, "我捋一下 您家暖气片从上周起就一直不热 想让师傅来看看")], "C2", "pass"),
    ("zh", [(CUSTOMER, "暖气片不热"), (AGENT, "您家暖气片一直不热 想让师傅上门看看 是这样不")], "C2", "pass"),
    ("zh", [(CUSTOMER, "我想改一下机票"), (AGENT, "好的 您是想改签回程的机票 想改到哪一天")], "C2", "pass"),
    ("zh", [(CUSTOMER, "你们这暖气也太不负责了 一直不热"), (AGENT, "抱歉 那暖气片是啥时候开始不热的")], "D2", "pass"),
    ("zh", [(CUSTOMER, "我想查下会员积分"), (AGENT, "好的 麻烦报一下开卡时登记的手机号")], "C1", "pass"),
    ("zh", [(CUSTOMER, "你们这暖气也太不负责了 一直不热"), (AGENT, "抱歉 您预留的这个号码还在用吧 师傅到时候打给您")],
     "D3", "pass"),
    # complaint handling said another way: apology, when, how to reach, ownership; flat verdicts
    ("zh", [(CUSTOMER, "你们这服务太差了"), (AGENT, "真是过意不去 耽误您这么多事")], "D1", "pass"),
    ("zh", [(CUSTOMER, "你们这服务太差了"), (AGENT, "好的 那就不耽误您时间了")], "D1", "fail"),
    ("zh", [(CUSTOMER, "你们这服务太差了"), (AGENT, "出问题是上礼拜几")], "D2", "pass"),
    ("zh", [(CUSTOMER, "你们这服务太差了"), (AGENT, "有进展了怎么联系您比较好")], "D3", "pass"),
    ("zh", [(CUSTOMER, "你们这服务太差了"), (AGENT, "这事儿我盯到底 您放心")], "D5", "pass"),
    ("zh", [(CUSTOMER, "你们卖的东西质量真不咋地")], "complaint", "pass"),
    ("zh", [(CUSTOMER, "花了钱还被坑了")], "complaint", "pass"),
    ("zh", [(CUSTOMER, "这个东西行不行啊 我想买一个")], "complaint", "fail"),
    # acczh6: "hard to accept" as a condition or a question is no complaint (the complaints are in
    # ZH_CALM_COMPLAINTS); an ask in dialect; what the customer booked read out with its price before
    # anything was asked
    ("zh", [(CUSTOMER, "要是颜色接受不了的话 还能换吗")], "complaint", "fail"),
    ("zh", [(CUSTOMER, "你们能不能接受刷卡 我没带现金")], "complaint", "fail"),
    ("zh", [(CUSTOMER, "我想查一哈快递到哪了"), (AGENT, "要得 麻烦您报一哈下单的手机号")], "C1", "pass"),
    ("zh", [(CUSTOMER, "我想退掉周末的房间"), (AGENT, "好的 您订的是周六入住的大床房 一晚 总价四百二"),
            (CUSTOMER, "对 退掉吧"), (AGENT, "麻烦报一下手机号")], "C1", "fail"),
    # the need said back as bare facts after 就是 with a check tag, and after "you are calling because"
    # (打电话, calling, is no phone number); not an identifier said back that way; anything left to ask
    ("zh", [(CUSTOMER, "三号洗衣机付了钱不转"), (AGENT, "就是三号机付了钱不启动 衣服还在里面 对吧")], "C2", "pass"),
    ("zh", [(CUSTOMER, "电子秤老是显示Err"),
            (AGENT, "我跟您确认一下 您打电话来是因为电子秤一开机就显示Err 称不了东西")], "C2", "pass"),
    ("zh", [(CUSTOMER, "我想查个快递"), (AGENT, "就是尾号3321的这个手机号下的件 对吧")], "C2", "fail"),
    ("zh", [(AGENT, "好的 还有要问的吗"), (CUSTOMER, "没了"), (AGENT, "好 再见")], "C3", "pass"),
]

# Issue 11, acczh5: in a query call the answer is the figures from the record; the need is
# confirmed before they are read out (C5), judged over a whole call.
_QUERY = [(CUSTOMER, "你好 我想问下我的积分"), (AGENT, "好的 麻烦您报一下手机号"), (CUSTOMER, "13900001111")]
_DATA = (AGENT, "好的 查到了 您现在有800积分")
_NEED = (AGENT, "您是想知道积分怎么兑换 对吧")
_CLOSE = [(CUSTOMER, "对"), (AGENT, "请问还有其他问题吗"), (CUSTOMER, "没有了"), (AGENT, "好的 感谢您的来电 再见")]


@pytest.mark.parametrize("turns, expected", [(_QUERY + [_DATA, _NEED] + _CLOSE, "fail"),
                                             (_QUERY + [_NEED, _DATA] + _CLOSE, "pass")],
                         ids=["data-before-need", "need-before-data"])
def test_zh_need_confirmed_before_the_record_is_read(turns, expected):
    assert outcome("zh", turns, "C5") == expected


# Issue 11, acczh6: calm complaints the rules themselves decide (a rule hit, not the classifier's
# guess), in the words of a longer turn: "hard to accept", what it did to the
# customer's feelings, a verdict on how the company works, a rhetorical challenge.
ZH_CALM_COMPLAINTS = [
    "你好 我上个月在你们店换的热水器 装好以后水温一直上不去 师傅来看了两回 这种处理我们真的没法接受",
    "喂 我家那台跑步机上周报修的 师傅拧了两个螺丝就走了 今天又咯吱响 你们售后这水平我是不敢恭维",
    "装了一个礼拜了还是滴水 想想都闹心",
    "新鞋穿了一天就开胶了 我心里挺膈应的",
    "你们这个排号到底是怎么管的 前面的人一个都不动",
]


@pytest.mark.parametrize("text", ZH_CALM_COMPLAINTS)
def test_zh_calm_complaints_are_decided_by_the_rules(text):
    call = Call(CallInfo("probe"), "zh", (Turn(CUSTOMER, 0.5, 3.5, text),))
    finding = next(f for f in score_call(call, standard_rubric("zh"), sentiment=0.0).findings
                   if f.check_id == "complaint")
    assert finding.outcome == "pass" and "learned" not in finding.rule, finding.rule


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


# Issue 11, crit6 (round 6): the CRITICAL items' kinds of miss in general terms, each breach with a
# harmless twin — blame set against the company, "went through this" with an adverb, a rule as its
# own reason, brush-offs with nothing offered, "not my problem" reported rather than said; the
# fault put on the customer by name, "nothing to do with us" with any department, errands handed
# back; a password spelled out after it is named.
CRITICAL_ROUND6 = [
    ("en", [(AGENT, "So that one's really down to you, not us.")], "B2", "fail"),
    ("en", [(AGENT, "That's on us, not you, and I'll sort it today.")], "B2", "pass"),
    ("en", [(AGENT, "It's up to you, not us, which plan you pick.")], "B2", "pass"),
    ("en", [(AGENT, "Okay, we literally just went through this.")], "B2", "fail"),
    ("en", [(AGENT, "We just went through the form together and it all looks fine.")], "B2", "pass"),
    ("en", [(AGENT, "I don't know how much clearer I can make it.")], "B2", "fail"),
    ("en", [(AGENT, "Let me know if I can make it any clearer.")], "B2", "pass"),
    ("en", [(AGENT, "Closed means closed for the bank holiday, sorry, we reopen Tuesday at nine.")], "B2", "pass"),
    ("en", [(AGENT, "That is not coming under us at all.")], "B2", "fail"),
    ("en", [(AGENT, "That's not coming under us, but I can transfer you to the right team now.")], "B2", "pass"),
    ("en", [(AGENT, "Honestly nothing could be done about the storm, but I've added a credit to your account.")], "B2",
     "pass"),
    ("en", [(AGENT, "You can go and ask the front desk when you arrive, they keep the spare keys.")], "B2", "pass"),
    ("en", [(AGENT, "Nothing can be done about the fee, but what I can do is spread it over two bills.")], "B2", "pass"),
    ("en", [(AGENT, "You'll just have to keep checking it yourself, people drop out all the time.")], "B2", "fail"),
    ("en", [(AGENT, "You'll need to sign the form yourself, as the account holder.")], "B2", "pass"),
    ("en", [(AGENT, "You only have to take it up with the university and sort it out with them.")], "B2", "fail"),
    ("en", [(AGENT, "You'll need to take it up with the bank, but I can give you their direct number.")], "B2", "pass"),
    ("en", [(AGENT, "Being told 'that's not my problem' when you're worried should never have happened.")], "B2", "pass"),
    ("en", [(AGENT, "Look, it's not my job to chase the courier.")], "B2", "fail"),
    ("en", [(AGENT, "Look, the pavement's the council's problem, not ours.")], "B2", "fail"),
    ("en", [(AGENT, "That is their responsibility, not ours, to fix the road, but I'll report it for you.")], "B2",
     "pass"),
    ("en", [(AGENT, "It was the courier's fault, not yours, and I've already rebooked it for you.")], "B2", "pass"),
    ("en", [(AGENT, "Sir, sir, how many times I have to say?")], "B2", "fail"),
    ("en", [(AGENT, "It's all on the website, go and have a read yourself.")], "B2", "fail"),
    ("en", [(AGENT, "It's all on the website too, but I'll read it out for you now.")], "B2", "pass"),
    ("en", [(AGENT, "I've got all day for you, take your time.")], "B2", "pass"),
    ("en", [(AGENT, "I've set a temporary password for you. It's Kestrel with a capital K, then four seven nine one, "
                    "then a hash sign.")], "E1", "fail"),
    ("en", [(AGENT, "The password is the one you set in 2019, I can't see it.")], "E1", "pass"),
    ("en", [(AGENT, "I've sent a reset link, it is valid for 30 minutes, and the password is case sensitive.")], "E1", "pass"),
    ("zh", [(AGENT, "说白了这属于您自己使用不当，不能算到我们产品头上。")], "B2", "fail"),
    ("zh", [(AGENT, "这个不属于您使用不当，是产品本身的问题，我们免费修。")], "B2", "pass"),
    ("zh", [(AGENT, "如果是您操作不当造成的，也可以先送过来看看。")], "B2", "pass"),
    ("zh", [(AGENT, "发票这一块跟我们调度这边没得关系哈，我们也管不了那么宽。")], "B2", "fail"),
    ("zh", [(AGENT, "这个和我们前面聊的没有关系，是另外一个问题。")], "B2", "pass"),
    ("zh", [(AGENT, "您自己打财务那边的电话嘛，号码收据上头有。")], "B2", "fail"),
    ("zh", [(AGENT, "您自己打过他们电话吗？")], "B2", "pass"),
    ("zh", [(AGENT, "没事儿，您不用自己去查，我这边能看到。")], "B2", "pass"),
    ("zh", [(AGENT, "这种事我们也没办法，您下回早点来就是了。")], "B2", "fail"),
    ("zh", [(AGENT, "这个我们也没办法控制，不过我帮您申请了补偿。")], "B2", "pass"),
    ("zh", [(AGENT, "您下次直接打这个电话就行，我把号码发给您。")], "B2", "pass"),
    # harmless sentences written by the integrator to test the round's Mandarin rules (each failed a
    # call on them before the offer of help, the dismissive words and 打开 were required)
    ("zh", [(AGENT, "这个跟我们仓库这边没得关系，是快递中转的问题，我马上帮您催一下。")], "B2", "pass"),
    ("zh", [(AGENT, "发票的事情我们也管不了那么宽，不过我可以把财务的电话发给您。")], "B2", "pass"),
    ("zh", [(AGENT, "您下回要是再遇到这种情况，直接打这个电话就是了，我们二十四小时有人。")], "B2", "pass"),
    ("zh", [(AGENT, "您自己打开App看一下订单状态，如果还没更新，我这边再帮您查。")], "B2", "pass"),
    ("zh", [(AGENT, "这个确实不是我们的责任，但我还是帮您跟物业反映一下。")], "B2", "pass"),
    ("zh", [(AGENT, "这个不是我们的问题，您找厂家去。")], "B2", "fail"),
]


@pytest.mark.parametrize("language, turns, check, expected", CRITICAL_ROUND6,
                         ids=[f"{p[0]}-{p[2]}-{i}" for i, p in enumerate(CRITICAL_ROUND6)])
def test_critical_kinds_of_round_6(language, turns, check, expected):
    assert outcome(language, turns, check) == expected


# Issue 11, zh9: kinds of miss on fresh Mandarin calls, each written here in other industries and
# words than the calls it came from. Decided by the rules (not the classifier's guess).
_GRIPE = (CUSTOMER, "你们这宽带也太不靠谱了 三天两头断网")
ZH9_RULES = [
    # a promise recalled, then not kept; money felt wasted; "such a mistake should not happen" (出)
    ("zh", [(CUSTOMER, "上礼拜说好三天内寄出 到现在连个单号都没有")], "complaint", "pass"),
    ("zh", [(CUSTOMER, "之前答应给我换新的，到现在还没动静。")], "complaint", "pass"),
    ("zh", [(CUSTOMER, "报名费交了两千 孩子一节课都没上成 这钱花得真冤")], "complaint", "pass"),
    ("zh", [(CUSTOMER, "装修公司这种低级错误不该出吧")], "complaint", "pass"),
    ("zh", [(CUSTOMER, "你们说好九点前到 结果八点半就到了 师傅挺利索")], "complaint", "fail"),
    ("zh", [(CUSTOMER, "当时说周五前给答复 我想问问现在有结果了吗")], "complaint", "fail"),
    ("zh", [(CUSTOMER, "课上得挺好 这钱花得不冤")], "complaint", "fail"),
    # the customer asked whether they can take the call on the number; the number the reply goes to
    # read back with a check tag (numbers in characters, no punctuation)
    ("zh", [_GRIPE, (AGENT, "抱歉 这事儿我记下了 您尾号这个手机晚上能接吧")], "D3", "pass"),
    ("zh", [_GRIPE, (AGENT, "实在抱歉 处理结果就发到幺五八幺二三四五六七八这个手机 行吗")], "D3", "pass"),
    ("zh", [_GRIPE, (AGENT, "到时候还是打幺三九零零幺二三四五六七这个号 对吧")], "D3", "pass"),
    ("zh", [_GRIPE, (AGENT, "抱歉 您这个手机能接收短信吧 我把测速链接发过去")], "D3", "fail"),
    # a number the customer left before, asked to identify them, is no contact for the reply
    ("zh", [_GRIPE, (AGENT, "抱歉 麻烦报一下办宽带时留的手机号 我查一下")], "D3", "fail"),
    # probes written from the form before they were scored: another need asked with 还想/还要, a doubt
    # or a favour left; a reply day in northern speech; ownership as a personal promise; the last
    # digits of any number and 叫啥 asked
    ("zh", [(AGENT, "已经帮您改好了"), (CUSTOMER, "好"), (AGENT, "您还想了解点别的吗")], "C3", "pass"),
    ("zh", [(AGENT, "已经帮您改好了"), (CUSTOMER, "好"), (AGENT, "那您还要再办点什么不")], "C3", "pass"),
    ("zh", [(AGENT, "已经帮您改好了"), (CUSTOMER, "好"), (AGENT, "您看还有哪块不清楚的 我再给您讲讲")], "C3", "pass"),
    ("zh", [(AGENT, "已经帮您改好了"), (CUSTOMER, "好"), (AGENT, "除了这个 还有啥要我帮着弄的没")], "C3", "pass"),
    ("zh", [(AGENT, "已经帮您改好了"), (CUSTOMER, "好"), (AGENT, "以后有问题随时打过来 再见")], "C3", "fail"),
    ("zh", [(AGENT, "已经帮您改好了"), (CUSTOMER, "好"), (AGENT, "您还要带身份证原件过来")], "C3", "fail"),
    ("zh", [_GRIPE, (AGENT, "抱歉 明儿个下午之前给您个准信")], "D4", "pass"),
    ("zh", [_GRIPE, (AGENT, "抱歉 过两天给您消息")], "D4", "fail"),
    ("zh", [_GRIPE, (AGENT, "抱歉 这事儿包在我身上")], "D5", "pass"),
    ("zh", [_GRIPE, (AGENT, "抱歉 这事您就交给我吧")], "D5", "pass"),
    ("zh", [_GRIPE, (AGENT, "抱歉 我保证给您一个说法")], "D5", "pass"),
    ("zh", [_GRIPE, (AGENT, "抱歉 这个您得自己找厂家")], "D5", "fail"),
    # calling this line back and naming the agent is no referral to another party (D5's "must not")
    ("zh", [_GRIPE, (AGENT, "抱歉 工单我来跟 师傅要是没按时到 您再打热线报我工号就行")], "D5", "pass"),
    ("zh", [(CUSTOMER, "我想查下保单"), (AGENT, "好的 您说一下投保时候用的证件末四位")], "C1", "pass"),
    ("zh", [(CUSTOMER, "我想查下快递"), (AGENT, "好的 收件人叫啥")], "C1", "pass"),
    # the say-back closed by a tag about the gist; the date noted with 记一下 / 从…起
    ("zh", [(CUSTOMER, "我那个燃气表好像走得特别快"),
            (AGENT, "查到了 您家上个月用了六十方 您是觉得这个量比平时多了不少 想让我们查查表是不是有问题 是这意思吧")], "C2", "pass"),
    ("zh", [(CUSTOMER, "孩子的校车卡丢了"), (AGENT, "明白了 校车卡丢了要补一张 是这个情况吧")], "C2", "pass"),
    ("zh", [(CUSTOMER, "我想把宽带换成三百兆"), (AGENT, "嗯 看到了 现在是一百兆的套餐 您要升到三百兆 我没说错吧")], "C2", "pass"),
    ("zh", [(CUSTOMER, "孩子的校车卡丢了"), (AGENT, "好的 补卡要十块钱")], "C2", "fail"),
    ("zh", [(CUSTOMER, "你们这物业也太不像话了 电梯坏了一礼拜"), (AGENT, "抱歉 我记一下 电梯从十二月一号起就停了 对吧")],
     "D2", "pass"),
    ("zh", [(CUSTOMER, "你们这物业也太不像话了 电梯坏了一礼拜"), (AGENT, "抱歉 您说一下哪栋哪个单元")], "D2", "fail"),
]


@pytest.mark.parametrize("language, turns, check, expected", ZH9_RULES,
                         ids=[f"{p[0]}-{p[2]}-{i}" for i, p in enumerate(ZH9_RULES)])
def test_zh9_kinds_decided_by_the_rules(language, turns, check, expected):
    found = finding(language, turns, check)
    assert found.outcome == expected, found.rule
    if expected == "pass":
        assert "learned" not in found.rule, found.rule


# Issue 11, zh9: the customer finding they had it wrong and thanking for it is no complaint (the
# classifier read "我还以为多扣了…" as one; such a sentence is now left to the rules).
ZH9_OWN_MISREADING = [
    "哦 原来是按年扣的 我还以为多扣了一个月 麻烦你了啊",
    "闹了半天是我看错日子了 我还以为你们多收了一天 谢谢啊",
    "我还以为你们把我的积分弄没了，原来是过期了，谢谢。",
]


@pytest.mark.parametrize("text", ZH9_OWN_MISREADING)
def test_zh_customer_who_misread_and_thanks_is_no_complaint(text):
    assert outcome("zh", [(CUSTOMER, text)], "complaint") == "fail"


# Issue 11, en9: kinds of miss on the English tuning folders, in new words. The incident read back
# for a check with its time, wherever the check is said in the turn; the case taken in hand in the
# present tense; "ill" for "I'll" in apostrophe-less transcripts; a complaint denied, or a feeling
# the customer turns on themselves, is no complaint; mockery and repeated visits are; closings.
_UPSET = (CUSTOMER, "Honestly I'm not happy, the fridge you delivered is leaking everywhere.")
EN_ROUND9 = [
    ("en", [_UPSET, (AGENT, "I'm sorry. Let me make sure I've got it: the van came on Tuesday, the seal "
                            "split that evening and nobody picked up the line. Have I got that right?")], "D2", "pass"),
    ("en", [_UPSET, (AGENT, "Sorry about that. The fridge arrived last Friday and the tray cracked on "
                            "Saturday morning, is that correct?")], "D2", "pass"),
    # the agent's own booking read back, or a time still to come, is no record of the incident
    ("en", [_UPSET, (AGENT, "Sorry. Just to confirm, I've rebooked the engineer for Monday, is that right?")], "D2", "fail"),
    ("en", [_UPSET, (AGENT, "Sorry. Just to confirm, a new one will be sent by Friday, is that right?")], "D2", "fail"),
    ("en", [_UPSET, (AGENT, "I'm so sorry. I'm logging this as a formal complaint now and sending it "
                            "to our delivery manager.")], "D5", "pass"),
    ("en", [_UPSET, (AGENT, "I'm sorry. I'm putting you on hold for a moment.")], "D5", "fail"),
    ("en", [_UPSET, (AGENT, "sorry about that ive booked a new one and ill ring you myself when it leaves")], "D5", "pass"),
    ("en", [(CUSTOMER, "It's not a complaint, I just want to know how to reset the timer.")], "complaint", "fail"),
    ("en", [(CUSTOMER, "I'm not calling to complain, I only need a new password.")], "complaint", "fail"),
    ("en", [(CUSTOMER, "I want to complain about the engineer who came today.")], "complaint", "pass"),
    ("en", [(CUSTOMER, "I'm really annoyed with myself, I typed the wrong date when I booked.")], "complaint", "fail"),
    ("en", [(CUSTOMER, "I'm really annoyed, you typed the wrong date on my booking.")], "complaint", "pass"),
    # the company mocked to its face, and a fix that took visit after visit
    ("en", [(CUSTOMER, "Is this how you treat people who've paid up front?")], "complaint", "pass"),
    ("en", [(CUSTOMER, "Are you lot deaf? I said the blue one.")], "complaint", "pass"),
    ("en", [(CUSTOMER, "Honestly, you guys are amateurs.")], "complaint", "pass"),
    ("en", [(CUSTOMER, "Four callouts now and the boiler still knocks.")], "complaint", "pass"),
    ("en", [(CUSTOMER, "I'd have thought a new phone would be sorted by now.")], "complaint", "pass"),
    ("en", [(CUSTOMER, "Is this how you reset the router, holding the button?")], "complaint", "fail"),
    ("en", [(CUSTOMER, "Can I book two visits now and one in May?")], "complaint", "fail"),
    # the closing: the call thanked as "ringing", goodbyes of other Englishes
    ("en", [(AGENT, "Anything else?"), (CUSTOMER, "No."), (AGENT, "Right, ta for ringing, see ya.")], "C4", "pass"),
    ("en", [(AGENT, "Anything else?"), (CUSTOMER, "No."), (AGENT, "Thanks for phoning in, hooroo.")], "C4", "pass"),
    ("en", [(AGENT, "Anything else I can help with?"), (CUSTOMER, "No, that's it."),
            (AGENT, "Thank you, have a good one, bye.")], "C4", "pass"),
    ("en", [(AGENT, "Mornin', Bluegum Plumbing, this is Rhys, what can I do for you?")], "A1", "pass"),
    ("en", [(AGENT, "Your meter will be changed on Monday. Anything again, sir?")], "C3", "pass"),
    ("en", [(AGENT, "Your meter will be changed on Monday. If anything again goes wrong, ring us.")], "C3", "fail"),
]


@pytest.mark.parametrize("language, turns, check, expected", EN_ROUND9,
                         ids=[f"{p[0]}-{p[2]}-{i}" for i, p in enumerate(EN_ROUND9)])
def test_en_kinds_of_round_9(language, turns, check, expected):
    assert outcome(language, turns, check) == expected


@pytest.mark.parametrize("text, expected", [
    ("ok ill ring you back on monday", "ok i will ring you back on monday"),
    ("and ill be in touch by friday", "and i will be in touch by friday"),
    ("my mum is ill", "my mum is ill"),
    ("she fell ill with flu on sunday", "she fell ill with flu on sunday"),
    ("ill health", "ill health"),
])
def test_ill_without_its_apostrophe_is_read_from_the_words_around_it(text, expected):
    from qa_pipeline.rubric.text import normalize

    assert normalize(text, "en") == expected
