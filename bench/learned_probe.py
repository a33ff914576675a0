"""What the learned layer adds on fresh paraphrases.

    python bench/learned_probe.py      (QA_LEARNED=off for the rules alone)

Fresh paraphrases (written for this probe, not in the banks, not from qa-examples): what the
rules find and what the learned layer adds, per item; and its false alarms on ordinary talk."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rubric import score_call, standard_rubric

P = {
 ("en","C2","pass"): ["Right, so the washer drains but won't spin, and you'd like a visit on Thursday, correct?",
   "So your pension statement lists the wrong employer and you need it amended, is that it?",
   "Okay, you'd want the hire car extended by two days and the insurance kept the same, yeah?",
   "So in a nutshell your son's bus pass was charged but never activated?",
   "Let me play it back: the sofa arrived with a torn cushion and you'd prefer a repair over a return.",
   "If I've got you right, the dentist's reminder texts go to your old number.",
   "So the plan is to move the broadband to the new flat from the first, right?",
   "You'd like the hotel booking changed to a twin room, is that correct?"],
 ("zh","C2","pass"): ["就是说洗衣机能排水但是不甩干，您想周四上门，对吧？",
   "您的养老金对账单上单位写错了，要改过来，是这个意思吗？",
   "您是想把租车延长两天，保险不变，对吗？",
   "简单说就是孩子的公交卡扣了钱但没激活？",
   "我复述一下：沙发送来靠垫破了，您更希望修而不是退。",
   "如果我没听错，牙科的提醒短信还发到您的旧号码上？",
   "也就是宽带下个月一号要移到新房子，对吧？",
   "您要把酒店改成双床房，没错吧？"],
 ("en","B2","fail"): ["What part of 'no refunds' don't you get?", "I've been through this with you twice already.",
   "If you'd bothered to check the app you'd know.", "Not my circus, mate.", "Look, I can't hold your hand through this.",
   "You should've read the small print before signing.", "Go and ask the shop, it's got nothing to do with us.",
   "I'm not here to babysit your account."],
 ("zh","B2","fail"): ["退款两个字您听不明白吗？", "这个我都跟您讲两遍了。", "您要是自己看一下app就知道了。",
   "这跟我有什么关系。", "我没空一步一步教您。", "签字之前您自己不看清楚吗？", "您去问商店吧，跟我们没关系。", "我又不是专门伺候您一个人的。"],
 ("en","complaint","pass"): ["Third week running the bin hasn't been collected, it's a joke.", "I'm very disappointed with how this was handled.",
   "Your courier left my parcel in the rain and it's ruined.", "Nobody ever rings back when they say they will.",
   "I'm paying for fibre and getting dial-up speeds.", "The last agent was really rude to me.",
   "This has wasted my whole afternoon.", "I've had enough of being passed from pillar to post."],
 ("zh","complaint","pass"): ["垃圾连着三周没人收了，太不像话了。", "这件事你们处理得让我很失望。", "快递员把包裹放在雨里，东西全湿了。",
   "每次说回电话都没人回。", "交的是光纤的钱，网速跟拨号一样。", "上一个客服态度特别差。", "这事浪费了我一下午。", "被踢来踢去的，我受够了。"],
}
N = {  # ordinary talk: nothing here passes C2, breaks B2 or is a complaint
 ("en","agent"): ["Good morning, Fernway Dental, Chloe speaking.", "Let me just check that for you.", "The clinic opens at eight.",
   "Your appointment is on the ninth at ten.", "That's been updated now.", "Anything else I can help with?", "Thanks for calling, bye.",
   "The fee for a replacement card is five pounds.", "I can see two open orders on the account.", "No worries at all."],
 ("zh","agent"): ["您好，蕨湾口腔，我是小林。", "我帮您查一下。", "诊所八点开门。", "您的预约是九号上午十点。", "已经帮您更新好了。",
   "还有什么可以帮您？", "感谢来电，再见。", "补卡的费用是五块钱。", "账户下有两个未完成的订单。", "没事儿。"],
 ("en","customer"): ["Hi, I'd like to move my appointment.", "Yes, that's me.", "Okay, thanks.", "Could I pay by card?", "No, that's all, bye."],
 ("zh","customer"): ["你好，我想改一下预约。", "对，是我。", "好的，谢谢。", "能刷卡吗？", "没有了，再见。"],
}
def call(lang, turns):
    return Call(CallInfo("p"), lang, tuple(Turn(sp, 2.0*i, 2.0*i+1.5, t) for i, (sp, t) in enumerate(turns)))
for (lang, item, want), texts in P.items():
    r = standard_rubric(lang); rules = learned = unsure = 0
    for t in texts:
        turns = ([("agent", "Hello." if lang == "en" else "您好。"), ("customer", t)] if item == "complaint"
                 else [("customer", "Hi." if lang == "en" else "你好。"), ("agent", t)])
        f = next(f for f in score_call(call(lang, turns), r, sentiment=0.0).findings if f.check_id == item)
        hit = f.outcome == want
        if hit and not (f.rule or "").startswith("learned"): rules += 1
        elif hit: learned += 1
        elif f.unsure: unsure += 1
    print(f"{lang} {item:9} {want}: {len(texts)} paraphrases; rules {rules}, learned adds {learned}, unsure {unsure}, missed {len(texts)-rules-learned-unsure}")
for lang in ("en", "zh"):
    r = standard_rubric(lang)
    turns = [("customer", c) for c in N[(lang, "customer")]] + [("agent", a) for a in N[(lang, "agent")]]
    res = score_call(call(lang, turns), r, sentiment=0.0)
    bad = [(f.check_id, f.outcome, f.rule[:90]) for f in res.findings if f.check_id in ("C2", "B2", "complaint", "C1")
           and ((f.check_id == "B2" and f.outcome == "fail") or (f.check_id in ("C2", "complaint") and f.outcome == "pass") or f.unsure)]
    print(lang, "ordinary talk false alarms:", bad)
