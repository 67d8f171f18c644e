"""Realistic Chinese complaint texts with known category and department, and paraphrased repeats.

Each category has several ways customers describe the problem (with products, amounts,
places and times filled in), the handling department depends on what the text says (an
online payment goes to IT, a refund at the till to finance), and every text carries the
chatter that all complaints share ("我打了好几次电话", "希望尽快处理"), so a label is never one
keyword away. A repeat is the same customer telling the same story again in other words
(synonyms swapped, sentences reordered, a new complaint about the wait) with the phone number
written another way.

Also the keyword rules a company would write for the same categories and departments: the
baseline the learned suggestions are measured against.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PRODUCTS = ["牛奶", "面包", "酸奶", "冷冻水饺", "大米", "食用油", "月饼", "饮料", "熟食", "水果"]
GOODS = ["电饭煲", "空调", "洗衣机", "手机", "吹风机", "电视机", "冰箱", "扫地机器人", "热水器", "微波炉"]
PLACES = ["南京东路店", "陆家嘴店", "徐家汇店", "静安寺店", "湖滨店", "观前街店", "新街口店", "线上商城"]

# category → list of (template, department hint or None). Departments as in data.generate.
STORIES: dict[str, list[tuple[str, str | None]]] = {
    "商品质量 / 食品安全": [
        ("在{place}买的{food}吃了以后拉肚子", "质量管理部"),
        ("{food}里面吃出了异物，像是头发", "质量管理部"),
        ("{food}已经过了保质期还在货架上卖", "门店运营部"),
        ("打开{food}发现已经发霉变质了", "质量管理部"),
        ("孩子喝了{food}以后呕吐，怀疑有问题", "质量管理部"),
    ],
    "商品质量 / 功能故障": [
        ("新买的{good}用了{days}天就坏了", "售后服务部"),
        ("{good}开机没反应，插上电源也不工作", "售后服务部"),
        ("{good}运行时声音特别大，还有焦味", "质量管理部"),
        ("{good}屏幕出现黑屏，送修后还是一样", "售后服务部"),
    ],
    "商品质量 / 假冒伪劣": [
        ("怀疑买到的{good}是假货，防伪码查不到", "质量管理部"),
        ("{food}包装和正品不一样，可能是仿冒的", "质量管理部"),
        ("商品标注的产地和实际不符，以次充好", "质量管理部"),
    ],
    "服务 / 服务态度": [
        ("{place}的收银员态度恶劣，还骂人", "门店运营部"),
        ("客服电话里的工作人员很不耐烦，直接挂断", "客服中心"),
        ("店员爱答不理，问了三遍都没人理我", "门店运营部"),
        ("保安对顾客大声呵斥，非常不礼貌", "门店运营部"),
    ],
    "服务 / 办理效率": [
        ("在{place}排队结账等了{minutes}分钟，只开了一个收银台", "门店运营部"),
        ("办理业务来回跑了好几趟，手续太繁琐", "客服中心"),
        ("申请的事情{days}天了还没有人处理", "客服中心"),
    ],
    "服务 / 承诺未兑现": [
        ("之前说好的赠品一直没有给", "营销中心"),
        ("客服承诺三天内回电，结果没有任何消息", "客服中心"),
        ("活动宣传的优惠到店里却不认", "营销中心"),
    ],
    "价格 / 价格欺诈": [
        ("标价{price}元结账时却收了{price2}元", "营销中心"),
        ("先涨价再打折，所谓的促销是虚假宣传", "营销中心"),
        ("价签上的价格和系统价格不一致", "营销中心"),
    ],
    "价格 / 收费争议": [
        ("被多扣了{price}元，没有任何说明", "财务部"),
        ("发票金额和实际付款对不上", "财务部"),
        ("莫名其妙收取了服务费和包装费", "营销中心"),
    ],
    "配送 / 延迟送达": [
        ("网上下单{days}天了还没送到，物流一直不更新", "物流中心"),
        ("约好上午送货，等到晚上也没有人来", "物流中心"),
        ("快递显示已签收，但是我根本没收到", "物流中心"),
    ],
    "配送 / 货物损坏": [
        ("送来的{good}外箱破损，里面也摔坏了", "物流中心"),
        ("配送员搬运时把{good}磕坏了", "物流中心"),
        ("收到的{food}包装破了，洒了一箱", "物流中心"),
    ],
    "合同 / 退换货": [
        ("{good}有问题要求退货，门店不给办理", "门店运营部"),
        ("七天无理由退货被拒绝，说拆封了不能退", "售后服务部"),
        ("换货申请提交了一直没有回复", "售后服务部"),
    ],
    "合同 / 会员卡与积分": [
        ("会员卡里的积分莫名其妙被清零了", "营销中心"),
        ("储值卡余额少了{price}元", "信息技术部"),
        ("积分兑换的礼品一直没有发放", "营销中心"),
    ],
    "系统 / 线上支付": [
        ("在APP上付款成功但订单显示未支付", "信息技术部"),
        ("扫码支付被重复扣款{price}元", "财务部"),
        ("小程序一直闪退，无法下单", "信息技术部"),
    ],
    "其他 / 其他": [
        ("停车场收费不合理，出口太拥堵", None),
        ("商场里空调太冷，卫生间也不干净", None),
        ("建议增加母婴室和休息座椅", None),
    ],
}
CHATTER = ["我已经打了好几次电话", "希望尽快给个说法", "这已经不是第一次了", "真的很失望",
           "请你们认真对待", "我是你们的老顾客", "周末带孩子去的时候发生的", "朋友也遇到过类似情况",
           "如果不处理我就向消协投诉", "请尽快处理", "太让人生气了", "事情发生在上周"]
DEMANDS = ["要求退款", "要求赔偿", "要求道歉", "要求更换", "要求维修", "要求给出解释",
           "要求改进服务", "要求处理相关人员"]
# Paraphrase table of a repeat: the same story in other words.
SYNONYMS = {
    "买的": ["购买的", "入手的"], "拉肚子": ["腹泻", "肚子疼"], "发霉变质": ["长毛变质", "霉变"],
    "坏了": ["出故障了", "不能用了"], "态度恶劣": ["态度很差", "服务很差"], "骂人": ["说脏话", "出言不逊"],
    "没有人处理": ["没人管", "没有下文"], "送到": ["送达", "收到货"], "退货": ["退掉", "退款退货"],
    "积分": ["会员积分"], "扣款": ["扣钱", "扣费"], "工作人员": ["员工", "客服人员"],
    "要求": ["希望", "请求"], "希望尽快给个说法": ["请尽快答复", "尽快给我一个答复"],
    "已经": ["都已经"], "一直": ["始终", "到现在都"], "假货": ["假冒产品", "山寨货"],
    "多扣了": ["多收了"], "破损": ["破了", "坏了"],
}
AGAIN = ["上次反映的问题到现在还没解决，", "我之前投诉过，", "又打电话来了，", "第二次反映："]

# The keyword rules a company typically writes (as complaint.routing.rule keywords).
CATEGORY_KEYWORDS = {
    "商品质量 / 食品安全": "过期,变质,发霉,异物,拉肚子",
    "商品质量 / 功能故障": "坏了,故障,不工作,黑屏",
    "商品质量 / 假冒伪劣": "假货,仿冒,防伪",
    "服务 / 服务态度": "态度,骂人,不耐烦",
    "服务 / 办理效率": "排队,繁琐,效率",
    "服务 / 承诺未兑现": "承诺,赠品",
    "价格 / 价格欺诈": "标价,虚假宣传,价签",
    "价格 / 收费争议": "多扣,服务费,发票",
    "配送 / 延迟送达": "物流,送货,没送到,签收",
    "配送 / 货物损坏": "摔坏,磕坏,外箱破损",
    "合同 / 退换货": "退货,换货,无理由",
    "合同 / 会员卡与积分": "积分,会员卡,储值卡",
    "系统 / 线上支付": "支付,扣款,闪退,app",
}
DEPARTMENT_KEYWORDS = {
    "质量管理部": "变质,异物,假货,防伪,焦味",
    "售后服务部": "维修,送修,换货,坏了",
    "门店运营部": "收银,店员,保安,排队",
    "客服中心": "客服,电话,回电",
    "营销中心": "促销,积分,赠品,标价",
    "财务部": "发票,扣款,多扣",
    "物流中心": "物流,送货,快递,配送",
    "信息技术部": "app,小程序,闪退,系统",
}


@dataclass(frozen=True)
class ComplaintText:
    subject: str
    description: str
    demand: str
    category: str
    department: str
    phone: str


def _fill(template: str, rng: random.Random) -> str:
    price = rng.choice([19, 38, 56, 99, 128, 268, 499, 1299])
    return template.format(place=rng.choice(PLACES), food=rng.choice(PRODUCTS), good=rng.choice(GOODS),
                           days=rng.randint(2, 20), minutes=rng.randint(20, 60), price=price,
                           price2=price + rng.choice([5, 10, 20, 50]))


def story(category: str, departments: list[str], rng: random.Random, phone: str) -> ComplaintText:
    """One complaint of ``category``: one or two facts, chatter, a demand."""
    options = STORIES[category]
    template, hint = rng.choice(options)
    facts = [_fill(template, rng)]
    if rng.random() < 0.3:
        facts.append(_fill(rng.choice(options)[0], rng))
    # A customer often adds a second grievance from another category.
    if rng.random() < 0.25:
        other = rng.choice([c for c in STORIES if c != category])
        facts.append(_fill(rng.choice(STORIES[other])[0], rng))
    chatter = rng.sample(CHATTER, rng.randint(1, 3))
    sentences = facts + chatter
    rng.shuffle(sentences[1:])
    demand = rng.choice(DEMANDS)
    department = hint if hint in departments and rng.random() < 0.85 else rng.choice(departments)
    subject = facts[0][:12]
    return ComplaintText(subject=subject, description="，".join(sentences) + "。", demand=demand,
                         category=category, department=department, phone=phone)


def paraphrase(original: ComplaintText, rng: random.Random) -> ComplaintText:
    """The same customer telling the same story again, in other words, with the phone
    written another way."""
    sentences = original.description.rstrip("。").split("，")
    rng.shuffle(sentences)
    if len(sentences) > 2 and rng.random() < 0.5:
        sentences.pop(rng.randrange(len(sentences)))
    text = "，".join(sentences)
    for word, alternatives in SYNONYMS.items():
        if word in text and rng.random() < 0.7:
            text = text.replace(word, rng.choice(alternatives))
    text = rng.choice(AGAIN) + text + "。"
    return ComplaintText(subject=original.subject, description=text,
                         demand=rng.choice(DEMANDS), category=original.category,
                         department=original.department, phone=reformat_phone(original.phone, rng))


def reformat_phone(phone: str, rng: random.Random) -> str:
    formats = [
        lambda p: f"+86 {p[:3]} {p[3:7]} {p[7:]}",
        lambda p: f"{p[:3]}-{p[3:7]}-{p[7:]}",
        lambda p: f"0{p}",
        lambda p: f"0086{p}",
        lambda p: f"{p[:3]} {p[3:]}",
    ]
    return rng.choice(formats)(phone)


def keyword_rules(table: dict[str, str]) -> list[tuple[str, list[str]]]:
    """``(label, words)`` in rule order, as complaint.routing.rule splits its keywords."""
    return [(label, [w.strip().lower() for w in words.replace("，", ",").split(",") if w.strip()])
            for label, words in table.items()]


def first_matching_rule(rules: list[tuple[str, list[str]]], text: str) -> str | None:
    """The label of the first rule with a keyword in ``text`` (the routing rules' own test)."""
    text = text.lower()
    for label, words in rules:
        if any(word in text for word in words):
            return label
    return None
