"""Phrasings the standard rubrics must judge right: other domains, other wordings and
speech-recognition slips that no labelled example uses, and harmless look-alikes that must
not fail. Each probe: (language, [(speaker, text), ...], check id, expected outcome).
Generic wording of our own, never taken from a labelled call."""
from __future__ import annotations

from rubric_probes_blind import BLIND
from rubric_probes_generalisation import GENERALISATION

A, C = "agent", "customer"

# Phrasings from domains and wordings the labelled examples do not use.
PROBES = [
    # A1 greeting: company + name/ID + greeting in the first agent turn
    ("zh", [(A, "早上好，平安燃气服务热线，8号话务员为您服务。")], "A1", "pass"),
    ("zh", [(A, "您好，这里是城南社区医院，我是导诊台的小王。")], "A1", "pass"),
    ("zh", [(A, "您好，欢迎致电优选商城，我叫林琳，请问您需要什么帮助？")], "A1", "pass"),
    ("zh", [(A, "你好，工号0987，请问有什么可以帮你？")], "A1", "fail"),
    ("zh", [(A, "喂，您好，请问有什么事？")], "A1", "fail"),
    ("en", [(A, "Good evening and thank you for calling Pine Valley Water, my name's Grace.")], "A1", "pass"),
    ("en", [(A, "Hi, you're through to Lumen Broadband support, Ravi speaking.")], "A1", "pass"),
    ("en", [(A, "Morning, Citywide Dental, this is Jo.")], "A1", "pass"),
    ("en", [(A, "Hello, how can I help you?")], "A1", "fail"),
    ("en", [(A, "Hello, Citywide Dental, how can I help?")], "A1", "fail"),
    # B1 request + thanks
    ("zh", [(A, "劳驾您把订单号念一下，多谢。")], "B1", "pass"),
    ("zh", [(A, "好的，稍等，我查一下。")], "B1", "fail"),
    ("en", [(A, "Would you mind holding for a second? Thanks so much.")], "B1", "pass"),
    ("en", [(A, "Hold on. Okay, done.")], "B1", "fail"),
    # B2 forbidden language (agent only)
    ("zh", [(A, "这事跟我没关系，您找别人去。")], "B2", "fail"),
    ("zh", [(A, "您烦不烦啊，都说了多少遍了。")], "B2", "fail"),
    ("zh", [(A, "这个我不知道。")], "B2", "fail"),
    ("zh", [(A, "这个我不太清楚，我帮您查一下再回复您。")], "B2", "pass"),
    ("zh", [(C, "你们这帮骗子，他妈的！"), (A, "非常抱歉，我理解您的心情。")], "B2", "pass"),
    ("en", [(A, "Honestly, that's not my department, I can't help you.")], "B2", "fail"),
    ("en", [(A, "Calm down, I already told you twice.")], "B2", "fail"),
    ("en", [(A, "Whatever you need, I'm happy to help.")], "B2", "pass"),
    ("en", [(A, "I don't know off the top of my head, let me find out.")], "B2", "pass"),
    ("en", [(C, "This is crap."), (A, "I'm sorry to hear that.")], "B2", "pass"),
    # C1 identity verification
    ("zh", [(C, "我想查一下我的保单。"), (A, "好的，请您提供一下投保人的身份证后四位。")], "C1", "pass"),
    ("zh", [(C, "我的燃气费怎么这么多？"), (A, "我帮您查一下，您家的户号是多少？")], "C1", "pass"),
    ("zh", [(C, "请问你们周末营业吗？"), (A, "周末正常营业，早九点到晚六点。")], "C1", "na"),
    ("zh", [(C, "帮我把套餐退订了。"), (A, "好的，已经为您取消了。")], "C1", "fail"),
    ("en", [(C, "I want to check my balance."),
     (A, "Sure, can you confirm your date of birth and postcode?")], "C1", "pass"),
    ("en", [(C, "Can I change my flight?"), (A, "Of course. What's the booking reference?")], "C1", "pass"),
    ("en", [(C, "What are your opening hours?"), (A, "We're open nine to five on weekdays.")], "C1", "na"),
    ("en", [(C, "Cancel my subscription."), (A, "Okay, I've cancelled your subscription.")], "C1", "fail"),
    # C2 confirm the need
    ("zh", [(A, "我复述一下，您是想把宽带从100兆升级到300兆，对吧？")], "C2", "pass"),
    ("zh", [(A, "也就是说您的快递显示签收了但是没收到，是吗？")], "C2", "pass"),
    ("zh", [(A, "好的，马上给您办理。")], "C2", "fail"),
    ("en", [(A, "Let me make sure I've got this right: you want a refund for the second charge?")], "C2", "pass"),
    ("en", [(A, "So what you're saying is the heater stopped working yesterday, right?")], "C2", "pass"),
    ("en", [(A, "Okay, I'll process that now.")], "C2", "fail"),
    # C3 / C4 closing
    ("zh", [(A, "请问还有其他需要帮忙的地方吗？"), (C, "没了。"), (A, "好的，感谢您的耐心，祝您生活愉快，再见。")], "C4", "pass"),
    ("zh", [(A, "还有别的问题吗？"), (C, "没有。"), (A, "好的，拜拜。")], "C4", "fail"),
    ("zh", [(A, "请问还有其他需要帮忙的地方吗？"), (C, "没了。"), (A, "感谢来电，再见。")], "C3", "pass"),
    ("en", [(A, "Can I help you with anything else today?"),
     (C, "No."),
     (A, "Thanks for your patience, take care now.")], "C4", "pass"),
    ("en", [(A, "Anything else?"), (C, "No."), (A, "Thank you.")], "C4", "fail"),
    ("en", [(A, "Is there anything more I can do for you?"), (C, "No."), (A, "Thanks, goodbye.")], "C3", "pass"),
    # complaint trigger
    ("zh", [(C, "你们这个售后也太不负责任了，我要求赔偿。")], "complaint", "pass"),
    ("zh", [(C, "我对这个处理结果非常不满意。")], "complaint", "pass"),
    ("zh", [(C, "你好，我想咨询一下怎么开发票。")], "complaint", "fail"),
    ("en", [(C, "I'm fed up, this is the third time I've called about this.")], "complaint", "pass"),
    ("en", [(C, "This is ridiculous, I want to speak to a manager.")], "complaint", "pass"),
    ("en", [(C, "Hi, I'd like to update my address please.")], "complaint", "fail"),
    # D items after a complaint
    ("zh", [(C, "我要投诉，你们送的蛋糕都压坏了！"), (A, "实在对不起，给您添麻烦了。")], "D1", "pass"),
    ("zh", [(C, "我要投诉，你们送的蛋糕都压坏了！"), (A, "请问是几号收到的？")], "D2", "pass"),
    ("zh", [(C, "我要投诉，你们送的蛋糕都压坏了！"), (A, "我们会尽快给您处理。")], "D2", "fail"),
    ("zh", [(C, "我要投诉！"), (A, "方便留一个联系电话吗？我们处理完回电给您。")], "D3", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "今天下班前给您回复处理结果。")], "D4", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "这个我们尽快处理，有消息通知您。")], "D4", "fail"),
    ("zh", [(C, "我要投诉！"), (A, "我已经升级给我们主管，由主管跟进处理。")], "D5", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "这个您得去找卖家，他们会处理的。")], "D5", "fail"),
    ("en", [(C, "I want to complain about my bill."),
     (A, "I'm really sorry about that, I understand how annoying it is.")], "D1", "pass"),
    ("en", [(C, "I want to complain about my bill."), (A, "What date did you first notice the charge?")], "D2", "pass"),
    ("en", [(C, "I want to complain about my bill."), (A, "Could you give me a good callback number?")], "D3", "pass"),
    ("en", [(C, "I want to complain about my bill."),
     (A, "You'll have an answer by end of day tomorrow.")], "D4", "pass"),
    ("en", [(C, "I want to complain about my bill."), (A, "We'll sort it out shortly.")], "D4", "fail"),
    ("en", [(C, "I want to complain about my bill."),
     (A, "I've escalated this to my supervisor and I'll call you back myself.")], "D5", "pass"),
    ("en", [(C, "I want to complain about my bill."),
     (A, "You'll need to contact the billing team yourself, their number is on the website.")], "D5", "fail"),
    # E1
    ("zh", [(A, "您的卡号是六二二二零二一二三四五六七八九零一二八，对吗？")], "E1", "fail"),
    ("en", [(A, "Your code is 4 8 2 9 1 3.")], "E1", "fail"),
    ("en", [(A, "Your verification code is 482913.")], "E1", "fail"),
    ("en", [(A, "The postcode is 1 2 3 4 5.")], "E1", "pass"),
    # ASR-style text: no punctuation, no capitals; more wordings
    ("zh",[(A,"您好联信通信客服中心我是王晓工号1031请问有什么可以帮您")],"A1","pass"),
    ("zh",[(A,"您好 联信通信客服中心 我是王晓 请问有什么可以帮您")],"A1","pass"),
    ("en",[(A,"thank you for calling orion telecom my name is alex how can i help")],"A1","pass"),
    ("en",[(A,"hi this is alex how can i help")],"A1","fail"),
    ("en",[(A,"Thanks for calling, this is Alex with Orion Telecom.")],"A1","pass"),
    ("en",[(A,"Welcome to Orion Telecom, I'm Alex.")],"A1","pass"),
    ("en",[(A,"Orion Telecom, good morning, Alex here.")],"A1","pass"),
    ("zh",[(A,"您好，感谢致电，我是小张。")],"A1","fail"),
    ("en",[(A,"Hello, thank you for calling, my name is Alex.")],"A1","fail"),
    ("zh",[(A,"您好，移动客服，工号5566。")],"A1","pass"),
    ("en",[(A,"Your one-time passcode is 7 7 1 2 0 9.")],"E1","fail"),
    ("zh",[(A,"密码是八八六六一二")],"E1","fail"),
    ("en",[(A,"Just to let you know, I need the last four of your card.")],"E1","pass"),
    ("en",[(C, "I'm not happy with this."),(A,"I'm sorry. Let me take care of this personally.")],"D5","pass"),
    ("en",[(C, "This is a disgrace."),(A,"I apologise. I've raised a complaint on your behalf; you'll get an email within two working days.")],"D4","pass"),
    ("en",[(C, "This is a disgrace."),(A,"I apologise. We'll get back to you in the next couple of days.")],"D4","fail"),
    ("zh",[(C,"你们太过分了"),(A,"非常抱歉，我们最晚明天中午给您答复。")],"D4","pass"),
    ("zh",[(C,"你们太过分了"),(A,"非常抱歉，我们两个小时后给您回电。")],"D4","pass"),
    ("zh",[(C,"你们太过分了"),(A,"麻烦您自己联系一下快递公司。")],"D5","fail"),
    ("en",[(A,"I'm sorry, I didn't catch that, could you say it again?")],"B2","pass"),
    ("en",[(A,"Ugh, I don't care what the other agent said.")],"B2","fail"),
    ("zh",[(A,"我说了你也听不懂。")],"B2","fail"),
    ("zh",[(A,"您好，请问您是张先生本人吗？")],"C1","pass"),
    ("en",[(C,"Where's my order?"),(A,"Could you tell me the email address you used to order?")],"C1","pass"),
    ("en",[(C,"Where's my order?"),(A,"Let me pull up your order. It shipped yesterday.")],"C1","fail"),
    ("zh",[(A,"好的，我理解您是想查询上个月的账单明细对吗？")],"C2","pass"),
    ("en",[(A,"Okay, so you'd like to cancel the order and get a refund, correct?")],"C2","pass"),
    ("en",[(A,"Did I get that right: you need a new router?")],"C2","pass"),
    ("zh",[(A,"还有什么我能帮您的吗？"),(C,"没了"),(A,"谢谢您的来电，再见")],"C3","pass"),
    ("en",[(A,"Was there anything else you needed?"),(C,"No"),(A,"Thanks for calling, bye")],"C3","pass"),
    ("en",[(A,"Anything else I can do for you?"),(C,"No"),(A,"Alright, thank you and have a great rest of your day.")],"C4","pass"),
    ("zh",[(C,"都一个月了还没退款，怎么回事啊？"),(A,"抱歉")],"complaint","pass"),
    ("en",[(C,"I've been waiting three weeks and nobody has called me back.")],"complaint","pass"),
    ("en",[(C,"I'm calling because my internet is down.")],"complaint","fail"),
    ("zh",[(C,"我家网断了，帮我看看。")],"complaint","fail"),
]


PROBES += [
    ("zh", [(A, "您好，安居物业服务中心，我是9527号，请问有什么可以帮您？")], "A1", "pass"),
    ("zh", [(A, "您好，惠民银行，我的工号是6601。")], "A1", "pass"),
    ("zh", [(A, "关我什么事，您找物业去。")], "B2", "fail"),
    ("zh", [(C, "我要改套餐。"), (A, "好的，先生您贵姓？")], "C1", "pass"),
    ("zh", [(A, "好的，我确认下，您需要办理的是停机保号，对吗？")], "C2", "pass"),
    ("zh", [(C, "烦死了，又坏了！"), (A, "抱歉。")], "complaint", "pass"),
    ("en", [(A, "Hi, it's Maya from Brightside Insurance, how can I help?")], "A1", "pass"),
    ("en", [(A, "Well, that's your own fault for not reading the terms.")], "B2", "fail"),
    ("en", [(A, "Just to clarify, you're looking to move your plan to next month?")], "C2", "pass"),
    ("en", [(C, "It's so frustrating."), (A, "Is this a good number to call you back on?")], "D3", "pass"),
    ("en", [(C, "This is totally unacceptable."), (A, "I'll have an answer for you within the hour.")], "D4", "pass"),
    ("en", [(C, "This is totally unacceptable."), (A, "When did you first notice the leak?")], "D2", "pass"),
]


# Harmless sentences that share words with forbidden ones: a critical fail must not come from these.
PROBES += [
    ("zh", [(A, "是给您妈妈的药吗？")], "B2", "pass"),
    ("zh", [(A, "妈的，系统又卡了。")], "B2", "fail"),
    ("zh", [(A, "您已经说过了，我都记下了。")], "B2", "pass"),
    ("zh", [(A, "我已经说过了，不能退。")], "B2", "fail"),
    ("zh", [(A, "您说了好几遍了，我理解您着急。")], "B2", "pass"),
    ("zh", [(A, "我不清楚您说的是哪个订单，麻烦您再说一下。")], "B2", "pass"),
    ("zh", [(A, "这个我不清楚。")], "B2", "fail"),
    ("en", [(A, "Like I said, the refund is on its way.")], "B2", "pass"),
    ("en", [(A, "I already told you, there's nothing I can do.")], "B2", "fail"),
]


# Order and tracking numbers read back are not card numbers; ID numbers and cards are.
PROBES += [
    ("zh", [(A, "您的订单号是3287461029384756123，对吗？")], "E1", "pass"),
    ("zh", [(A, "运单号是773104958271635，已经签收了。")], "E1", "pass"),
    ("zh", [(A, "卡号6222021234567890123，对吗？")], "E1", "fail"),
    ("en", [(A, "Your order number is 1122334455667788.")], "E1", "pass"),
    ("en", [(A, "I have 4556 7390 1284 5528 on file.")], "E1", "fail"),
]


# A bare role is no organisation; a department named on its own is.
PROBES += [
    ("zh", [(A, "您好，这里是客服，工号123。")], "A1", "fail"),
    ("zh", [(A, "您好，客服中心，工号1234，请讲。")], "A1", "pass"),
    ("zh", [(A, "您好，欢迎致电，我是小张。")], "A1", "fail"),
    ("zh", [(A, "您好，这里是顺风物流，我是小张。")], "A1", "pass"),
]


# Issue #3's later rounds, in files of their own: the generalisation pass, then the blind rounds.
PROBES += GENERALISATION + BLIND
