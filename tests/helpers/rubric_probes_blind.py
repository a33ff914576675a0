"""Rubric probes written blind, before the rubric was changed for them (issue #3): transcripts
as speech recognition writes them, more domains, look-alikes of broadened patterns. Part of
:data:`rubric_probes.PROBES` (same format)."""
from __future__ import annotations

A, C = "agent", "customer"

BLIND: list = []

# Issue #3, written blind (before the rubric was changed for them): transcripts as speech
# recognition writes them (lower case, no punctuation, 你 for 您, 在见 for 再见) and more domains.
BLIND += [
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
BLIND += [
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
BLIND += [
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
BLIND += [
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
BLIND += [
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
