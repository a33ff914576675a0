"""Phrasings the standard rubrics must judge right: other domains, other wordings and
speech-recognition slips that no labelled example uses, and harmless look-alikes that must
not fail. Each probe: (language, [(speaker, text), ...], check id, expected outcome).
Generic wording of our own, never taken from a labelled call."""
from __future__ import annotations

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



# Issue #3, generalisation: other domains, other phrasings and speech-recognition slips for the
# items the rubric used to get wrong, with harmless look-alikes that must not fail (a false critical
# B2 fail zeroes a score). Generic wording, not taken from any labelled call.
PROBES += [
    # A1 (en)
    ("en", [(A, "Hello, this is Brightway customer care, how can I help?")], "A1", "fail"),
    ("en", [(A, "Good morning, this is Northgate Bank support, how may I help you?")], "A1", "fail"),
    ("en", [(A, "Hi, it's Harbor Health appointments, what can I do for you?")], "A1", "fail"),
    ("en", [(A, "hello this is brightway customer care how can i help")], "A1", "fail"),
    ("en", [(A, "Hello, this is Brightway customer care, my name is Nina.")], "A1", "pass"),
    ("en", [(A, "Hi, this is Brightway customer care, Omar speaking.")], "A1", "pass"),
    ("en", [(A, "Good afternoon, this is Leo at Sunrise Travel.")], "A1", "pass"),
    ("en", [(A, "Good afternoon, this is Sunrise Travel, Leo speaking.")], "A1", "pass"),
    ("en", [(A, "Hello, thank you for calling Metro Water, my name is Priya.")], "A1", "pass"),
    ("en", [(A, "Good morning, Greenfield Council, you're speaking with Tom.")], "A1", "pass"),
    ("en", [(A, "Hello, Metro Water customer service, how may I direct your call?")], "A1", "fail"),
    # B2 (en)
    ("en", [(A, "Is there anything else I can't help you with today?")], "B2", "pass"),
    ("en", [(A, "I'm sorry, I cannot help you with that, but the pharmacy team can.")], "B2", "pass"),
    ("en", [(A, "Unfortunately I can't help you with a refund on that one.")], "B2", "pass"),
    ("en", [(A, "I can help you with that.")], "B2", "pass"),
    ("en", [(A, "Sorry, there's nothing I can do about the late fee this time.")], "B2", "pass"),
    ("en", [(A, "The error message should go away once you restart the router.")], "B2", "pass"),
    ("en", [(A, "Don't worry, I'll deal with it right away.")], "B2", "pass"),
    ("en", [(A, "Parcels sometimes get lost in transit, I'm sorry.")], "B2", "pass"),
    ("en", [(A, "There's no such thing as a stupid question.")], "B2", "pass"),
    ("en", [(A, "Once things calm down at the depot, the driver will call.")], "B2", "pass"),
    ("en", [(A, "You can also do it yourself in the app if you prefer.")], "B2", "pass"),
    ("en", [(A, "Whatever works best for you.")], "B2", "pass"),
    ("en", [(C, "What the hell, this is bullshit!"), (A, "I understand, I'm sorry.")], "B2", "pass"),
    ("en", [(A, "Look, that's not my problem.")], "B2", "fail"),
    ("en", [(A, "I already told you, figure it out yourself.")], "B2", "fail"),
    ("en", [(A, "Just calm down.")], "B2", "fail"),
    ("en", [(A, "You need to calm down, sir.")], "B2", "fail"),
    ("en", [(A, "Whatever.")], "B2", "fail"),
    ("en", [(A, "Damn, the system crashed again.")], "B2", "fail"),
    ("en", [(A, "I don't know.")], "B2", "fail"),
    ("en", [(A, "You'll just have to deal with it.")], "B2", "fail"),
    ("en", [(A, "I can't help you with that.")], "B2", "pass"),
    ("en", [(A, "Whatever, I don't care.")], "B2", "fail"),
    ("en", [(A, "Ma'am, are you even listening to me?")], "B2", "fail"),
    ("en", [(A, "The bloody system is down again.")], "B2", "pass"),
    ("en", [(A, "You can look it up yourself on the website, or I can do it for you now.")], "B2", "pass"),
    # B2 (zh)
    ("zh", [(A, "不知道您现在方便吗？")], "B2", "pass"),
    ("zh", [(A, "您自己在APP上也可以查，我也可以帮您查。")], "B2", "pass"),
    ("zh", [(C, "你们真是烦不烦，他妈的！"), (A, "非常抱歉，我帮您处理。")], "B2", "pass"),
    ("zh", [(A, "不知道，您自己去查吧。")], "B2", "fail"),
    ("zh", [(A, "我都跟您说了三遍了，您怎么还听不明白？")], "B2", "fail"),
    ("zh", [(A, "这个我们管不了，您爱找谁找谁。")], "B2", "fail"),
    ("zh", [(A, "您放心，这不是您的问题，是系统升级的原因。")], "B2", "pass"),
    ("zh", [(A, "您先别急，我这边不太清楚具体情况，马上帮您查一下。")], "B2", "pass"),
    # C1 (en)
    ("en", [(C, "Why was I charged twice?"),
     (A, "Can you please give me your account number so I can check?")], "C1", "pass"),
    ("en", [(C, "I need to change my appointment."),
     (A, "For security, could you please tell me your date of birth?")], "C1", "pass"),
    ("en", [(C, "My parcel hasn't come."), (A, "Would you mind reading me the tracking number?")], "C1", "pass"),
    ("en", [(C, "I want to move my booking."), (A, "Sure, can I take your booking reference?")], "C1", "pass"),
    ("en", [(C, "My meter reading is wrong."), (A, "No problem, can I take the name on the account?")], "C1", "pass"),
    ("en", [(C, "Is my claim approved?"), (A, "Could I take your postcode first, please?")], "C1", "pass"),
    ("en", [(C, "My prescription renewal?"), (A, "Okay, and can I just grab your NHS number?")], "C1", "pass"),
    ("en", [(C, "I'd like to check my tax refund."),
     (A, "Before we go on, I'll need to verify a couple of things, what's your full name?")], "C1", "pass"),
    ("en", [(C, "My internet bill is wrong."),
     (A, "Let me look into it. Would you be able to confirm the first line of your address?")], "C1", "pass"),
    ("en", [(C, "Where is my refund?"), (A, "Okay, could you please spell your last name for me?")], "C1", "pass"),
    ("en", [(C, "I'd like to upgrade my plan."),
     (A, "Happy to help, may I please have the mobile number on the account?")], "C1", "pass"),
    ("en", [(C, "Where is my refund?"),
     (A, "I can see the refund on your account, it went out yesterday.")], "C1", "fail"),
    ("en", [(C, "Do you ship to Canada?"), (A, "Yes, we ship to Canada in five to seven days.")], "C1", "na"),
    ("en", [(C, "I want to cancel."), (A, "Sure, what's the email address on your account?")], "C1", "pass"),
    ("en", [(C, "Check my claim?"),
     (A, "Of course, and just for verification, can I grab your date of birth?")], "C1", "pass"),
    ("en", [(C, "Is my repair done?"),
     (A, "Let me just check your account, yes it's ready for pickup.")], "C1", "fail"),
    # C1 (zh)
    ("zh", [(C, "我家洗衣机不转了。"), (A, "麻烦您报一下机身上的产品序列号。")], "C1", "pass"),
    ("zh", [(C, "空调要报修。"), (A, "好的，您的安装地址是哪里？")], "C1", "pass"),
    ("zh", [(C, "快递一直没到。"), (A, "请问您的收货地址是哪个小区？")], "C1", "pass"),
    ("zh", [(C, "我想查一下我的水费。"), (A, "好的，请提供一下您家的详细地址。")], "C1", "pass"),
    ("zh", [(C, "手机连不上网了。"), (A, "您好，麻烦您提供一下手机的IMEI码。")], "C1", "pass"),
    ("zh", [(C, "我想查一下话费。"), (A, "好的，我直接看了一下您这个号码下面的记录，上个月扣了三十块。")], "C1", "fail"),
    ("zh", [(C, "我的网怎么又断了？"), (A, "系统显示您这个号码的宽带欠费停机了。")], "C1", "fail"),
    ("zh", [(C, "我要查账单。"), (A, "好的，我看了一下您来电号码名下的账单，本月一百二十元。")], "C1", "fail"),
    ("zh", [(C, "你们几点下班？"), (A, "我们晚上六点下班。")], "C1", "na"),
    ("zh", [(C, "我要改签。"), (A, "好的，麻烦您报一下乘机人的身份证号码。")], "C1", "pass"),
    ("zh", [(C, "我想挂个号。"), (A, "请问就诊人叫什么名字？")], "C1", "pass"),
    ("zh", [(C, "我想查下社保。"), (A, "您好，请问您的社保卡号是多少？")], "C1", "pass"),
    ("zh", [(C, "我家停电了。"), (A, "好的，您家的户号方便告诉我一下吗？")], "C1", "pass"),
    ("zh", [(C, "我想退订。"), (A, "您来电的这个号码是您本人在用的吗？")], "C1", "pass"),
    ("zh", [(C, "帮我查下快递。"), (A, "好的，我这边直接根据您的来电号码查到一个包裹，明天到。")], "C1", "fail"),
    ("zh", [(C, "我的积分怎么没了？"), (A, "我看了下，您账户里的积分上个月已经过期了。")], "C1", "fail"),
    # C2 (en)
    ("en", [(A, "So you'd like to reschedule to Thursday, is that correct?")], "C2", "pass"),
    ("en", [(A, "How can I help you today?")], "C2", "fail"),
    ("en", [(A, "What can I help you with?")], "C2", "fail"),
    ("en", [(A, "Okay, so you want to know why the bill went up, right?")], "C2", "pass"),
    # C2 (zh)
    ("zh", [(A, "您好，请问您需要办理什么业务？")], "C2", "fail"),
    ("zh", [(A, "您好，请问您想咨询哪方面的问题？")], "C2", "fail"),
    ("zh", [(A, "您好，请问您要办理哪项业务？")], "C2", "fail"),
    ("zh", [(A, "请问您想了解什么产品呢？")], "C2", "fail"),
    ("zh", [(A, "好的，您是想办理宽带移机，对吗？")], "C2", "pass"),
    ("zh", [(A, "明白，您需要办理的是医保卡补办是吧？")], "C2", "pass"),
    ("zh", [(A, "您想咨询的是航班改签的手续费，对吧？")], "C2", "pass"),
    ("zh", [(A, "明白了，您是说上个月的话费多扣了二十块对吧？")], "C2", "pass"),
    ("zh", [(A, "我跟您确认一下，您要取消的是周五下午的预约，对吗？")], "C2", "pass"),
    ("zh", [(A, "我跟您确认一下您的手机号码，是138开头的吗？")], "C2", "fail"),
    # C3 (en)
    ("en", [(A, "Is there anything else I can assist you with today?"), (C, "No."), (A, "Thanks, bye.")], "C3", "pass"),
    ("en", [(A, "Can I help with anything else?"), (C, "No."), (A, "Thanks, bye.")], "C3", "pass"),
    ("en", [(A, "Was there anything else I could help you with?"), (C, "No."), (A, "Thanks, bye.")], "C3", "pass"),
    # C3 (zh)
    ("zh", [(A, "请问您还有其他业务需要办理吗？"), (C, "没有了。"), (A, "感谢来电，再见。")], "C3", "pass"),
    ("zh", [(A, "还有别的需要帮忙的吗？"), (C, "没了。"), (A, "谢谢，再见。")], "C3", "pass"),
    ("zh", [(A, "其他方面您还有疑问吗？"), (C, "没有。"), (A, "谢谢，再见。")], "C3", "pass"),
    ("zh", [(A, "还需要帮您办理什么吗？"), (C, "不用了。"), (A, "谢谢，再见。")], "C3", "pass"),
    ("zh", [(A, "您看还有哪里不清楚的吗？"), (C, "没有。"), (A, "谢谢，再见。")], "C3", "pass"),
    ("zh", [(A, "请问还有什么其他疑问吗？"), (C, "没有。"), (A, "谢谢，再见。")], "C3", "pass"),
    ("zh", [(A, "您还有其他要咨询的吗？"), (C, "没有。"), (A, "谢谢，再见。")], "C3", "pass"),
    ("zh", [(A, "好的，已经给您办好了。"), (C, "好。"), (A, "谢谢，再见。")], "C3", "fail"),
    ("zh", [(A, "办理这个业务还需要您带户口本。"), (C, "好。"), (A, "谢谢，再见。")], "C3", "fail"),
    ("zh", [(A, "好的，那您看还有什么需要我这边帮您处理的吗？"), (C, "没了。"), (A, "谢谢，再见。")], "C3", "pass"),
    ("zh", [(A, "除此之外还有别的吗？"), (C, "没了。"), (A, "谢谢，再见。")], "C3", "pass"),
    ("zh", [(A, "请问还有其他可以为您服务的吗？"), (C, "没了。"), (A, "谢谢，再见。")], "C3", "pass"),
    # C4 (en)
    ("en", [(A, "Anything else?"), (C, "No."), (A, "Thanks, we'll take care of that for you.")], "C4", "fail"),
    ("en", [(A, "Anything else?"), (C, "No."), (A, "Thanks for waiting, sorry it took so long.")], "C4", "fail"),
    ("en", [(A, "Anything else?"),
     (C, "No."),
     (A, "Thank you. You have a fourteen day window to return it.")], "C4", "fail"),
    ("en", [(A, "Thanks for calling Harbor Dental, this is Mia, how can I help?"),
     (C, "Just checking my appointment, bye.")], "C4", "fail"),
    ("en", [(A, "Anything else?"),
     (C, "No."),
     (A, "Thanks, we'll see you at the clinic on Monday then.")], "C4", "pass"),
    ("en", [(A, "Anything else?"), (C, "No."), (A, "Thank you for calling. Take care.")], "C4", "pass"),
    ("en", [(A, "Anything else?"), (C, "No."), (A, "Thanks so much for your time, have a good one.")], "C4", "pass"),
    ("en", [(A, "Anything else?"), (C, "No."), (A, "Alright, thanks, bye now.")], "C4", "pass"),
    ("en", [(A, "Anything else?"), (C, "No."), (A, "Thanks for calling, you have a great day.")], "C4", "pass"),
    ("en", [(A, "Anything else?"), (C, "No."), (A, "Thanks for calling, enjoy your evening.")], "C4", "pass"),
    # C4 (zh)
    ("zh", [(A, "还有其他问题吗？"), (C, "没有。"), (A, "谢谢您的耐心等待，已经为您处理好了。")], "C4", "fail"),
    ("zh", [(A, "还有其他问题吗？"), (C, "没有。"), (A, "好的，感谢您的来电，祝您一路顺风，再见。")], "C4", "pass"),
    ("zh", [(A, "还有其他问题吗？"), (C, "没有。"), (A, "好的，感谢您的耐心，祝您早日康复，再见。")], "C4", "pass"),
    ("zh", [(A, "还有其他问题吗？"), (C, "没有。"), (A, "好的，谢谢您，拜拜。")], "C4", "pass"),
    ("zh", [(A, "还有其他问题吗？"), (C, "没有。"), (A, "好的，感谢您的来电，祝您生活愉快！")], "C4", "pass"),
    ("zh", [(A, "还有其他问题吗？"), (C, "没有。"), (A, "好的，那先这样，再见。")], "C4", "fail"),
    # D1 (en)
    ("en", [(C, "This is ridiculous."), (A, "I'm so sorry about the trouble.")], "D1", "pass"),
    ("en", [(C, "This is ridiculous."), (A, "I totally get why you're frustrated.")], "D1", "pass"),
    # D1 (zh)
    ("zh", [(C, "你们这服务太差了！"), (A, "真的很抱歉，让您受委屈了。")], "D1", "pass"),
    # D2 (en)
    ("en", [(C, "This is ridiculous."), (A, "When did the outage start?")], "D2", "pass"),
    # D2 (zh)
    ("zh", [(C, "你们这服务太差了！"), (A, "请问您是哪天下的单？")], "D2", "pass"),
    # D3 (en)
    ("en", [(C, "This is ridiculous."), (A, "Can I get a number where we can reach you?")], "D3", "pass"),
    ("en", [(C, "This is ridiculous."),
     (A, "Is the number you're calling from the best one to reach you?")], "D3", "pass"),
    # D3 (zh)
    ("zh", [(C, "我要投诉！"), (A, "麻烦留一下联系电话，方便后续跟您联系。")], "D3", "pass"),
    ("zh", [(C, "你们太差劲了！"), (A, "您留个电话吧，处理好了告诉您。")], "D3", "pass"),
    ("zh", [(C, "我很不满意！"), (A, "请留一下您的手机号，我们的回访人员会打给您。")], "D3", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "您的回访电话是尾号3388这个吗？")], "D3", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "方便的话留一个您的联系方式。")], "D3", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "您现在打的这个号码能联系到您吗？")], "D3", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "非常抱歉，我们一定改进。")], "D3", "fail"),
    # D4 (en)
    ("en", [(C, "This is ridiculous."), (A, "You'll hear back from us by Thursday at the latest.")], "D4", "pass"),
    # D4 (zh)
    ("zh", [(C, "你们这服务太差了！"), (A, "我们会在三个工作日之内给您答复。")], "D4", "pass"),
    ("zh", [(C, "你们这服务太差了！"), (A, "今天晚上八点之前给您回电。")], "D4", "pass"),
    # D5 (en)
    ("en", [(C, "This is ridiculous."), (A, "I'll personally make sure someone calls you back.")], "D5", "pass"),
    ("en", [(C, "This is ridiculous."),
     (A, "I'm going to raise this with my team leader and get back to you.")], "D5", "pass"),
    # D5 (zh)
    ("zh", [(C, "我要投诉！"), (A, "您放心，我会亲自跟进这件事。")], "D5", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "这个问题我们安排专人处理。")], "D5", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "这件事我会负责到底的。")], "D5", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "我这边帮您跟进，有结果第一时间告诉您。")], "D5", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "我马上给您升级处理。")], "D5", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "我亲自帮您盯着这个工单。")], "D5", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "我把情况反映给我们领导，让他们尽快处理。")], "D5", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "这个不是我们这边负责的。")], "D5", "fail"),
]



# Issue #3, written blind (before the rubric was changed for them): transcripts as speech
# recognition writes them (lower case, no punctuation, 你 for 您, 在见 for 再见) and more domains.
PROBES += [
    # A1 (en)
    ("en", [(A, "thanks for calling river bank this is jen how can i help")], "A1", "pass"),
    ("en", [(A, "Good morning, you've reached Apex Insurance claims, this is Maria.")], "A1", "pass"),
    ("en", [(A, "Hi there, Daniel from Bluebird Airlines, how can I help?")], "A1", "pass"),
    ("en", [(A, "Good morning, this is Kelly, how can I help?")], "A1", "fail"),
    # A1 (zh)
    ("zh", [(A, "你好这里是东方航空客服我是小刘请问有什么可以帮你")], "A1", "pass"),
    ("zh", [(A, "您好很高兴为您服务请问有什么可以帮您")], "A1", "fail"),
    # B1 (en)
    ("en", [(A, "could you hold on a moment please thank you")], "B1", "pass"),
    ("en", [(A, "hold on"), (A, "ok done")], "B1", "fail"),
    # B1 (zh)
    ("zh", [(A, "请您稍等一下"), (A, "感谢您的耐心等待")], "B1", "pass"),
    ("zh", [(A, "稍等"), (A, "好了")], "B1", "fail"),
    # B2 (en)
    ("en", [(A, "is there anything else i cant help you with today")], "B2", "pass"),
    ("en", [(A, "i do not know what to tell you")], "B2", "pass"),
    ("en", [(A, "thats not my problem maam")], "B2", "fail"),
    ("en", [(A, "i dont have that information in front of me but i can find out")], "B2", "pass"),
    ("en", [(A, "no worries whatever is easiest for you")], "B2", "pass"),
    ("en", [(A, "hell of a week huh")], "B2", "pass"),
    # B2 (zh)
    ("zh", [(A, "这事不归我们管你找物业去")], "B2", "fail"),
    ("zh", [(A, "不好意思我不太清楚这个情况我帮您问一下")], "B2", "pass"),
    ("zh", [(A, "您先别着急，我知道您很急")], "B2", "pass"),
    ("zh", [(A, "这个我也不知道啊")], "B2", "fail"),
    ("zh", [(A, "您这个情况我们之前已经说过了，不能退")], "B2", "fail"),
    # C1 (en)
    ("en", [(C, "hi i need to change my address"),
             (A, "sure can you just confirm your full name and date of birth for me")], "C1", "pass"),
    ("en", [(C, "my bill is too high"),
             (A, "okay i have pulled up your account and the charge is for roaming")], "C1", "fail"),
    ("en", [(C, "I need my test results."), (A, "Of course, can I start with your full name please?")], "C1", "pass"),
    ("en", [(C, "I need my test results."), (A, "Sure, what's the patient's date of birth?")], "C1", "pass"),
    ("en", [(C, "Renew my licence."), (A, "Yes, and what's the reference on your letter?")], "C1", "pass"),
    ("en", [(C, "Has my payment gone through?"), (A, "Yes, I can see your payment from Tuesday.")], "C1", "fail"),
    ("en", [(C, "What's the weather in Paris?"), (A, "Sorry, we only handle flight bookings.")], "C1", "na"),
    # C1 (zh)
    ("zh", [(C, "我想改一下套餐"), (A, "好的请问机主姓名是什么")], "C1", "pass"),
    ("zh", [(C, "我想改一下套餐"), (A, "好的麻烦报一下身份证后四位")], "C1", "pass"),
    ("zh", [(C, "我想改一下套餐"), (A, "好的已经给你改好了下个月生效")], "C1", "fail"),
    ("zh", [(C, "我想咨询一下信用卡分期。"), (A, "好的，分期有三期、六期和十二期。")], "C1", "na"),
    # C2 (en)
    ("en", [(A, "okay so just to make sure i have got this right you were charged twice for june")], "C2", "pass"),
    ("en", [(A, "so you are saying the package never arrived")], "C2", "pass"),
    ("en", [(A, "Okay, let me just make sure I understand: the app logs you out every time?")], "C2", "pass"),
    ("en", [(A, "Right, so the issue is the heating not coming on in the mornings.")], "C2", "pass"),
    ("en", [(A, "Sure, I can help with that.")], "C2", "fail"),
    # C2 (zh)
    ("zh", [(A, "您是想把流量包退掉对吧")], "C2", "pass"),
    ("zh", [(A, "我跟你确认一下你是要开发票对吗")], "C2", "pass"),
    ("zh", [(A, "好的请稍等")], "C2", "fail"),
    ("zh", [(A, "您好，请问您是要咨询还是办理业务？")], "C2", "fail"),
    # C3 (en)
    ("en", [(A, "is there anything else i cant help you with today"), (C, "no"), (A, "thanks bye")], "C3", "pass"),
    ("en", [(A, "Is there anything else today?"), (C, "No."), (A, "Thanks, bye.")], "C3", "pass"),
    ("en", [(A, "Anything else you need from me?"), (C, "No."), (A, "Thanks, bye.")], "C3", "pass"),
    ("en", [(A, "Do you have any other questions for me?"), (C, "No."), (A, "Thanks, bye.")], "C3", "pass"),
    # C3 (zh)
    ("zh", [(A, "请问还有什么可以帮到您的？"), (C, "没了"), (A, "谢谢，再见")], "C3", "pass"),
    # C4 (en)
    ("en", [(A, "is there anything else i can help you with today"),
             (C, "no"),
             (A, "all right thank you for calling have a good day")], "C4", "pass"),
    ("en", [(A, "is there anything else i can help you with today"),
             (C, "no"),
             (A, "all right thank you for calling")], "C4", "fail"),
    # C4 (zh)
    ("zh", [(A, "还有什么其他问题吗"), (C, "没有了"), (A, "好的感谢你的来电再见")], "C4", "pass"),
    ("zh", [(A, "还有什么其他问题吗"), (C, "没有了"), (A, "好的感谢你的来电在见")], "C4", "pass"),
    ("zh", [(A, "还有什么其他问题吗"), (C, "没有了"), (A, "好的再见")], "C4", "fail"),
    # D1 (en)
    ("en", [(C, "this is the worst service ever"), (A, "im really sorry to hear that")], "D1", "pass"),
    # D1 (zh)
    ("zh", [(C, "你们什么破服务！"), (A, "抱歉让您久等了")], "D1", "pass"),
    # D2 (en)
    ("en", [(C, "this is the worst service ever"), (A, "what date did this happen")], "D2", "pass"),
    # D2 (zh)
    ("zh", [(C, "你们什么破服务！"), (A, "您还记得大概是几号的事吗")], "D2", "pass"),
    # D3 (en)
    ("en", [(C, "this is the worst service ever"), (A, "whats the best number to call you back on")], "D3", "pass"),
    # D3 (zh)
    ("zh", [(C, "你们什么破服务！"), (A, "后面我们通过您现在这个号码联系您可以吗")], "D3", "pass"),
    # D4 (en)
    ("en", [(C, "this is the worst service ever"),
             (A, "you will get a call back within forty eight hours")], "D4", "pass"),
    # D4 (zh)
    ("zh", [(C, "你们什么破服务！"), (A, "我们明天中午十二点之前给您答复")], "D4", "pass"),
    ("zh", [(C, "你们什么破服务！"), (A, "我们会尽快处理的")], "D4", "fail"),
    # D5 (en)
    ("en", [(C, "this is the worst service ever"), (A, "i will personally follow up on this")], "D5", "pass"),
    # D5 (zh)
    ("zh", [(C, "你们什么破服务！"), (A, "我已经给您提交了投诉工单，后续由我跟进")], "D5", "pass"),
    ("zh", [(C, "你们什么破服务！"), (A, "这个需要您自己去营业厅办理")], "D5", "fail"),
    # E1 (en)
    ("en", [(A, "I have your card number as 4111 1111 1111 1111.")], "E1", "fail"),
    ("en", [(A, "your reference number is 1234 5678 9012 3456")], "E1", "pass"),
    ("en", [(A, "I'll text you a code now, please read it back to me when it arrives.")], "E1", "pass"),
    # E1 (zh)
    ("zh", [(A, "您的验证码是六七八九零一，请不要告诉别人")], "E1", "fail"),
    ("zh", [(A, "您尾号八八六六的卡已经冻结")], "E1", "pass"),
    ("zh", [(A, "我们的客服电话是九五五八八")], "E1", "pass"),
]



# Issue #3, a second blind round: dropped words ("thank for calling"), 公号 for 工号, callbacks,
# restatements without a stock phrase, and look-alikes ("we'll call you back" asks for no number).
PROBES += [
    # A1 (en)
    ("en", [(A, "good morning thank you for calling summit gas and electric my name is kate")], "A1", "pass"),
    ("en", [(A, "Morning, Summit Gas, you're through to Kate.")], "A1", "pass"),
    ("en", [(A, "Hi, thanks for holding, this is Raj from the returns team at Parcelpoint.")], "A1", "pass"),
    ("en", [(A, "Hi, you're through to Lumen, how can I help?")], "A1", "fail"),
    # A1 (zh)
    ("zh", [(A, "您好，欢迎致电城市燃气，公号二零八八，很高兴为您服务")], "A1", "pass"),
    ("zh", [(A, "喂你好这边是阳光保险我姓王请问您有什么需要")], "A1", "pass"),
    ("zh", [(A, "您好，人民医院预约挂号中心，请问有什么可以帮您")], "A1", "fail"),
    # B1 (en)
    ("en", [(A, "Can you please hold while I check that? Cheers.")], "B1", "pass"),
    ("en", [(A, "Let me put you on a short hold. Thanks for waiting.")], "B1", "fail"),
    # B1 (zh)
    ("zh", [(A, "请您稍后，我这边帮您查询一下"), (A, "感谢您的耐心")], "B1", "pass"),
    # B2 (en)
    ("en", [(A, "Oh come on, that's ridiculous, I can't believe you did that.")], "B2", "pass"),
    ("en", [(A, "I'm not able to help you with that on this line, I'm afraid.")], "B2", "pass"),
    ("en", [(A, "Honestly I have no idea.")], "B2", "fail"),
    ("en", [(A, "That's not my job, ask someone else.")], "B2", "fail"),
    ("en", [(A, "Is there any other way I can't help you?")], "B2", "pass"),
    # B2 (zh)
    ("zh", [(A, "您说什么？听不懂吗？我已经说过了！")], "B2", "fail"),
    ("zh", [(A, "这个我确实不知道，我帮您转接专业的同事")], "B2", "pass"),
    ("zh", [(A, "不知道有没有影响到您的使用")], "B2", "pass"),
    # C1 (en)
    ("en", [(C, "I'd like a refund."),
             (A, "Sure, could I get the order number and the email it was placed under?")], "C1", "pass"),
    ("en", [(C, "I'd like a refund."), (A, "Okay, I've processed the refund to your card.")], "C1", "fail"),
    ("en", [(C, "My water is brown."), (A, "Could you confirm the address where this is happening?")], "C1", "pass"),
    # C1 (zh)
    ("zh", [(C, "我要退货"), (A, "好的，请您把订单编号告诉我一下")], "C1", "pass"),
    ("zh", [(C, "我要退货"), (A, "您好，请问下单人手机号后四位是多少")], "C1", "pass"),
    ("zh", [(C, "帮我查下余额"), (A, "我看到您这个卡里还有两千块")], "C1", "fail"),
    ("zh", [(C, "我想咨询一下你们的营业时间"), (A, "我们营业时间是早九点到晚五点")], "C1", "na"),
    # C2 (en)
    ("en", [(A, "Alright so you're calling because the direct debit came out twice, correct?")], "C2", "pass"),
    ("en", [(A, "If I've understood you right, you want to cancel the second line.")], "C2", "pass"),
    ("en", [(C, "This is unacceptable."), (A, "Okay, so it sounds like the engineer never turned up.")], "C2", "pass"),
    # C2 (zh)
    ("zh", [(A, "嗯，您刚才说的是快递显示签收了，但您没收到，对吧？")], "C2", "pass"),
    ("zh", [(A, "明白了，就是要把自动续费关掉是吧")], "C2", "pass"),
    ("zh", [(A, "就是这样，您先在APP上操作一下。")], "C2", "fail"),
    # C3 (en)
    ("en", [(A, "anything else can help you with today"),
             (C, "no"),
             (A, "thank you for calling have a nice day")], "C3", "pass"),
    # C3 (zh)
    ("zh", [(A, "请问还有别的我可以帮到您的吗"), (C, "没了"), (A, "好的谢谢来电拜拜")], "C3", "pass"),
    # C4 (en)
    ("en", [(A, "is there anything else"), (C, "no"), (A, "thank for calling good bye")], "C4", "pass"),
    # C4 (zh)
    ("zh", [(A, "请问还有别的我可以帮到您的吗"), (C, "没了"), (A, "好的谢谢来电拜拜")], "C4", "pass"),
    ("zh", [(A, "还有其他问题吗"), (C, "没了"), (A, "嗯好的祝您生活愉快")], "C4", "fail"),
    # D1 (en)
    ("en", [(C, "I'm really disappointed with the repair."), (A, "I'm sorry that happened.")], "D1", "pass"),
    # D1 (zh)
    ("zh", [(C, "我对你们的处理非常不满意"), (A, "实在抱歉给您造成困扰")], "D1", "pass"),
    # D2 (en)
    ("en", [(C, "I'm really disappointed with the repair."), (A, "Sure, when was the engineer there?")], "D2", "pass"),
    # D2 (zh)
    ("zh", [(C, "我对你们的处理非常不满意"), (A, "请问这个问题是从什么时候开始出现的")], "D2", "pass"),
    # D3 (en)
    ("en", [(C, "I'm really disappointed with the repair."),
             (A, "Can I confirm your mobile is still 555-0123 for a callback?")], "D3", "pass"),
    ("en", [(C, "I'm really disappointed with the repair."),
             (A, "We'll call you back within 24 hours.")], "D3", "fail"),
    ("en", [(C, "I'm really disappointed with the repair."),
             (A, "Which number should we use for the follow up?")], "D3", "pass"),
    # D3 (zh)
    ("zh", [(C, "我对你们的处理非常不满意"), (A, "方便留个手机号吗，我们处理好会第一时间通知您")], "D3", "pass"),
    # D4 (en)
    ("en", [(C, "I'm really disappointed with the repair."),
             (A, "Someone will ring you tomorrow morning.")], "D4", "pass"),
    ("en", [(C, "I'm really disappointed with the repair."), (A, "We'll be in touch soon.")], "D4", "fail"),
    # D4 (zh)
    ("zh", [(C, "我对你们的处理非常不满意"), (A, "我们在48小时之内给您回复")], "D4", "pass"),
    ("zh", [(C, "我对你们的处理非常不满意"), (A, "下周一之前一定给您处理好")], "D4", "pass"),
    # D5 (en)
    ("en", [(C, "I'm really disappointed with the repair."),
             (A, "I've opened a complaint under my name and I'll follow it up.")], "D5", "pass"),
    ("en", [(C, "I'm really disappointed with the repair."),
             (A, "You'd have to take that up with the installer directly.")], "D5", "fail"),
    # D5 (zh)
    ("zh", [(C, "我对你们的处理非常不满意"), (A, "我这边马上给您反馈给上级主管，由主管亲自联系您")], "D5", "pass"),
    ("zh", [(C, "我对你们的处理非常不满意"), (A, "这个您得找商家，我们管不了")], "D5", "fail"),
    # E1 (zh)
    ("zh", [(A, "您的身份证号码是三一零一零四一九八八零五一二四四一二，对吧")], "E1", "fail"),
    ("zh", [(A, "您的快递单号是七七三零零一二三四五六七八九零，明天送到")], "E1", "pass"),
]



# Issue #3: critical items must not fail on look-alikes (a false critical fail zeroes the score):
# 我操作一下, 去死机, 老妈的, self-service offered as an option, account/IMEI/policy numbers read back.
PROBES += [
    # B2 (en)
    ("en", [(A, "That's not my department, but let me transfer you to the right team.")], "B2", "pass"),
    ("en", [(A, "Please listen to me carefully, unplug the router first.")], "B2", "pass"),
    ("en", [(A, "That's not my department.")], "B2", "fail"),
    ("en", [(A, "Listen to me, I said no.")], "B2", "fail"),
    # B2 (zh)
    ("zh", [(A, "好的，我操作一下，请稍等。")], "B2", "pass"),
    ("zh", [(A, "您想怎么样处理呢？退款还是换货？")], "B2", "pass"),
    ("zh", [(A, "如果您听不懂的话我再解释一遍。")], "B2", "pass"),
    ("zh", [(A, "如果是您自己的原因导致的损坏，需要收取维修费。")], "B2", "pass"),
    ("zh", [(A, "电话里跟您说不清楚，我给您发个短信。")], "B2", "pass"),
    ("zh", [(A, "您也可以在APP上自己去查，很方便。")], "B2", "pass"),
    ("zh", [(A, "您的手机之前去死机过吗？")], "B2", "pass"),
    ("zh", [(A, "您靠近窗户试试，我靠近路由器测过是正常的。")], "B2", "pass"),
    ("zh", [(A, "是给您老妈的体检预约对吧？")], "B2", "pass"),
    ("zh", [(A, "我不知道您这边具体是哪个型号，麻烦您看一下机身背面。")], "B2", "pass"),
    ("zh", [(A, "我操，系统又崩了。")], "B2", "fail"),
    ("zh", [(A, "您到底想怎么样？")], "B2", "fail"),
    ("zh", [(A, "您自己去查吧。")], "B2", "fail"),
    ("zh", [(A, "我也不知道，您问别人去。")], "B2", "fail"),
    # E1 (en)
    ("en", [(A, "The IMEI is 356938035643809.")], "E1", "pass"),
    ("en", [(A, "Your policy number is 4400 1234 5678 9.")], "E1", "pass"),
    ("en", [(A, "Your reference number is 1234 5678 9012 3456.")], "E1", "pass"),
    ("en", [(A, "Your card number is 4111 1111 1111 1111.")], "E1", "fail"),
    # E1 (zh)
    ("zh", [(A, "您的宽带账号是057112345678901，对吗？")], "E1", "pass"),
    ("zh", [(A, "您手机的IMEI码是860123456789012。")], "E1", "pass"),
    ("zh", [(A, "您家的户号是3301234567890。")], "E1", "pass"),
    ("zh", [(A, "您的卡号是6222021234567890123。")], "E1", "fail"),
]



# Issue #3, a third blind round: acting on records found from the caller's number (en), reply-time ranges,
# restatements closed by a confirmation tag, 掰掰, N号接线员.
PROBES += [
    # A1 (zh)
    ("zh", [(A, "您好，中国移动，很高兴为您服务，工号一二三四")], "A1", "pass"),
    ("zh", [(A, "您好，这里是市民热线12345，我是8号接线员")], "A1", "pass"),
    ("zh", [(A, "您好请问您是哪里")], "A1", "fail"),
    # C1 (en)
    ("en", [(C, "Why is my bill so high?"),
             (A, "I can see you're calling from the number on the account, and the bill includes roaming.")], "C1", "fail"),
    ("en", [(C, "Why is my bill so high?"),
             (A, "Your account has come up from your number, there's a late fee on it.")], "C1", "fail"),
    ("en", [(C, "Why is my bill so high?"), (A, "Our records show a late payment in May.")], "C1", "fail"),
    # C1 (zh)
    ("zh", [(C, "帮我查下话费"), (A, "您是用尾号6688的这个手机打进来的，对吧？")], "C1", "pass"),
    # C2 (en)
    ("en", [(A, "You'd like to add your partner to the policy, is that right?")], "C2", "pass"),
    ("en", [(A, "Your postcode is AB1 2CD, is that right?")], "C2", "fail"),
    ("en", [(A, "Okay, you need a replacement card sent to your new address, correct?")], "C2", "pass"),
    # C2 (zh)
    ("zh", [(A, "好的，我这边帮您把套餐改成五十八元的，您确认一下是要改这个套餐对吗？")], "C2", "pass"),
    ("zh", [(A, "请问您是遇到了什么问题？")], "C2", "fail"),
    # C3 (en)
    ("en", [(A, "Is that all for today?"), (C, "Yes."), (A, "Thanks, bye.")], "C3", "pass"),
    ("en", [(A, "Any other issues I can look at for you?"), (C, "No."), (A, "Thanks, bye.")], "C3", "pass"),
    ("en", [(A, "Do you have any further questions?"), (C, "No."), (A, "Thanks, bye.")], "C3", "pass"),
    # C3 (zh)
    ("zh", [(A, "请问还有什么需要帮您的吗"), (C, "没有了"), (A, "感谢您的来电祝您生活愉快再见")], "C3", "pass"),
    # C4 (zh)
    ("zh", [(A, "还有其他问题吗"), (C, "没了"), (A, "好的谢谢您掰掰")], "C4", "pass"),
    ("zh", [(A, "请问还有什么需要帮您的吗"), (C, "没有了"), (A, "感谢您的来电祝您生活愉快再见")], "C4", "pass"),
    # D1 (zh)
    ("zh", [(C, "你们太不负责任了"), (A, "让您受委屈了，给您造成的影响我们非常重视")], "D1", "pass"),
    # D2 (zh)
    ("zh", [(C, "你们太不负责任了"), (A, "请问这是什么时候的事情")], "D2", "pass"),
    # D4 (en)
    ("en", [(C, "This is unacceptable."), (A, "You'll get an update in two to three working days.")], "D4", "pass"),
    ("en", [(C, "This is unacceptable."), (A, "Someone will call you within 24 to 48 hours.")], "D4", "pass"),
    ("en", [(C, "This is unacceptable."), (A, "I'll have an answer for you first thing tomorrow.")], "D4", "pass"),
    ("en", [(C, "This is unacceptable."), (A, "We'll get back to you shortly.")], "D4", "fail"),
    # D4 (zh)
    ("zh", [(C, "你们太不负责任了"), (A, "我们三到五个工作日内给您回复")], "D4", "pass"),
]



# Issue #3: look-alikes of the broadened patterns (instructions closed by "right?", "is that all correct",
# asking the customer to see a supervisor themselves).
PROBES += [
    # C2 (en)
    ("en", [(A, "You need to restart the router, right?")], "C2", "fail"),
    ("en", [(A, "So you were charged twice for the same month, is that right?")], "C2", "pass"),
    # C3 (en)
    ("en", [(A, "Your address is 12 Oak Lane, is that all correct?"), (C, "Yes."), (A, "Thanks, bye.")], "C3", "fail"),
    ("en", [(A, "We'll sort it without any further delay."), (C, "Ok."), (A, "Thanks, bye.")], "C3", "fail"),
    # D5 (zh)
    ("zh", [(C, "我要投诉！"), (A, "这个您需要找主管处理，我这边没办法。")], "D5", "fail"),
    ("zh", [(C, "我要投诉！"), (A, "您得自己去营业厅办理。")], "D5", "fail"),
    ("zh", [(C, "我要投诉！"), (A, "我马上反馈给主管，主管今天之内联系您。")], "D5", "pass"),
    ("zh", [(C, "我要投诉！"), (A, "以后有问题您找我就行，我来负责处理。")], "D5", "pass"),
]
