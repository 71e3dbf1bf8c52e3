"""The payload of a text: what a spam wave is there to push.

People write the same short comment all the time (好看, 求链接, "Love this!"); a spam wave is the same
*payload* - a link, a handle or contact id, a phone number, an e-mail address, a price, a promo code -
posted by many new accounts in changing words. ``extract`` finds the payloads of a text, normalised
against the usual disguises, so that the duplicate stage can count payloads instead of phrases:

* width and look-alikes: NFKC (ＶＸ, １３８, ①⑤⑨, ＠, ．), invisible characters, Cyrillic/Greek letters,
  Traditional Chinese (``core.folding.base_fold``), dashes of every kind;
* s p a c e d or d.o.t.t.e.d letters and digits, junk between the letters of a marker (微-信, V❤信,
  w🌸e🌸c🌸h🌸a🌸t);
* the marker's aliases: 微信/薇信/威信/徽信/V信/VX/WX/wechat/weixin/加V; QQ/扣扣/企鹅/Q群; LINE,
  Telegram/TG/t.me, WhatsApp/WA/wa.me, Instagram/IG/Insta, Kakao, Snapchat, TikTok, 抖音, 小红书;
* digits written as Chinese numerals (一五九二七六…, 幺, 零/〇) or English words ("four one five…"),
  and the letter O among digits;
* links with bracketed or spoken dots (``site[.]com``, ``site(.)com``, ``site dot com``, ``site 。com``,
  ``t . cn / x``), e-mail addresses with ``(at)``, ``[at]``, `` at `` and `` dot ``.

Payloads are *strong* (a link outside the common sites, a contact id after a marker, a phone number,
an e-mail address, a code after a code word) or *weak* (a price, a mention, a link to a common site, a
code-looking word). Weak ones take part in wave counting only when the text also solicits: a lure such
as "DM me", "link in bio", 私信, 主页, 包邮, ทักแชท, or a contact marker. A text with no payload and no
lure is a phrase, however often it is posted.

Pure: no database, no settings. ``review.stages.duplicates`` turns the keys into fingerprints; trust
reads the same keys for its "same payload from several new accounts" rule (``trust.payloads``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from core.folding import base_fold

# --- preparation ----------------------------------------------------------------------------------

_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"))
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Junk people put between the letters of a word so that a filter misses it: anything that is not a
# letter, a digit or a CJK character, a few of them at most.
_JUNK = rf"[^a-z0-9{_CJK}\u0e00-\u0e7f]{{0,3}}"
_CN_DIGITS = {
    "零": "0",
    "〇": "0",
    "洞": "0",
    "一": "1",
    "幺": "1",
    "壹": "1",
    "二": "2",
    "两": "2",
    "贰": "2",
    "三": "3",
    "叁": "3",
    "四": "4",
    "肆": "4",
    "五": "5",
    "伍": "5",
    "六": "6",
    "陆": "6",
    "七": "7",
    "柒": "7",
    "八": "8",
    "捌": "8",
    "九": "9",
    "玖": "9",
}
_CN_DIGIT_CLASS = "[" + "".join(_CN_DIGITS) + "]"
# Five or more Chinese numerals in a row (spaces allowed): a number spelled out to dodge a filter.
# Fewer are words (一起, 三里屯, 九九).
_CN_DIGIT_RUN = re.compile(rf"{_CN_DIGIT_CLASS}(?:\s?{_CN_DIGIT_CLASS}){{4,}}")
_EN_DIGITS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_EN_DIGIT_WORD = "(?:zero|one|two|three|four|five|six|seven|eight|nine)"
_EN_DIGIT_RUN = re.compile(rf"\b(?:{_EN_DIGIT_WORD}[\s-]+){{5,}}{_EN_DIGIT_WORD}\b")
# Single letters or digits with one separator between them, four or more: "w e c h a t", "1 5 9 ...".
_SPACED = re.compile(r"(?<![a-z0-9_.@])(?:[a-z0-9_.@][ *·•|~^]){3,}[a-z0-9_.@](?![a-z0-9_.@])")
_WHITE = re.compile(r"\s+")
_BRACKET_DOT = re.compile(r"\s*[\(\[\{<（【]\s*(?:\.|dot|点|。)\s*[\)\]\}>）】]\s*")
_BRACKET_AT = re.compile(r"\s*[\(\[\{<（【]\s*(?:@|at)\s*[\)\]\}>）】]\s*")
_TLDS = (
    "com|net|org|info|biz|xyz|top|vip|shop|store|site|online|club|live|app|io|co|me|cc|tv|link|click|win|"
    "bet|fun|icu|buzz|ly|gl|gg|cn|uk|us|de|fr|jp|kr|hk|tw|sg|my|th|ph|vn|ru|in|au|ca|nz|eu|to|ai|so|pro|"
    "today|life|world|asia|money|cash|loan|vip|work|space|website|mobi|name|page|best|sale|deals"
)
_SPOKEN_DOT = re.compile(rf"(?<=[a-z0-9])\s*(?:\s(?:dot|点)\s|。|\s\.\s)\s*(?=(?:{_TLDS})\b)")
# "name at gmail dot com": both spoken. "at" alone is read as "@" only before a mail provider ("order
# at shop.top" is a shop, not an address).
_SPOKEN_EMAIL = re.compile(rf"(?<=[a-z0-9])\s+at\s+([a-z0-9-]+)\s+(?:dot|点)\s+(?=(?:{_TLDS})\b)")
_MAIL_PROVIDERS = (
    "gmail|googlemail|outlook|hotmail|live|yahoo|icloud|proton|protonmail|qq|163|126|foxmail|sina|aol|yandex"
)
_SPOKEN_AT = re.compile(rf"(?<=[a-z0-9])\s+at\s+(?=(?:{_MAIL_PROVIDERS})\.[a-z]{{2,12}}\b)")
_BEFORE_DOMAIN = rf"(?=[a-z0-9-]+\.(?:{_TLDS})\b)"
_LOOSE_AT = re.compile(rf"(?<=[a-z0-9.])\s*@\s+{_BEFORE_DOMAIN}|(?<=[a-z0-9.])\s+@\s*{_BEFORE_DOMAIN}")
_SPACED_SLASH = re.compile(rf"(\.(?:{_TLDS}))\s+/\s*(?=[a-z0-9])")
# The letter O for a zero: between digits, before two digits after a space, after two digits at the end.
_O_AMONG_DIGITS = re.compile(r"(?<=\d)o+(?=\d)|(?<=\d )o+(?=\d{2})|(?<=\d\d)o+(?![a-z0-9])")
_DATES = re.compile(r"\b(?:19|20)\d{2}\s?[-/.年]\s?\d{1,2}\s?[-/.月]\s?\d{1,2}日?|\b\d{1,2}:\d{2}(?::\d{2})?\b")


def prepare(text: str) -> str:
    """The text as payloads are read from it: folded, de-spaced, with spoken and bracketed dots
    turned back into dots and spelled-out digits into digits."""
    # One space for any run of white space: the patterns below then never rescan a long run.
    folded = _WHITE.sub(" ", base_fold(text).translate(_DASHES))
    folded = _BRACKET_DOT.sub(".", folded)
    folded = _BRACKET_AT.sub("@", folded)
    folded = _SPACED.sub(lambda m: re.sub(r"[ *·•|~^]", "", m.group(0)), folded)
    folded = _SPOKEN_EMAIL.sub(r"@\1.", folded)
    folded = _SPOKEN_DOT.sub(".", folded)
    folded = _SPOKEN_AT.sub("@", folded)
    folded = _LOOSE_AT.sub("@", folded)
    folded = _SPACED_SLASH.sub(r"\1/", folded)
    folded = _CN_DIGIT_RUN.sub(lambda m: "".join(_CN_DIGITS.get(ch, ch) for ch in m.group(0)), folded)
    folded = _EN_DIGIT_RUN.sub(lambda m: "".join(_EN_DIGITS[w] for w in re.split(r"[\s-]+", m.group(0))), folded)
    return _O_AMONG_DIGITS.sub(lambda m: "0" * len(m.group(0)), folded)


def _fuzzy(marker: str) -> str:
    """A marker as a pattern that lets junk sit between its letters: 微-信, w e c h a t, V❤信."""
    return _JUNK.join(re.escape(ch) for ch in marker)


# --- markers and lures ------------------------------------------------------------------------------

_CONTACT_MARKERS = {
    "wechat": [
        *("微信", "薇信", "威信", "徽信", "嶶信", "危信", "围信", "v信"),
        *("wechat", "weixin", "vx", "wx", "加v", "+v", "➕v"),
    ],
    "qq": ["qq", "扣扣", "企鹅", "q群", "q号", "加q"],
    "line": ["line"],
    "wechat slang": ["卫星号", "卫星"],  # "satellite": also an ordinary word
    "telegram": ["telegram", "tg", "电报", "飞机号"],
    "whatsapp": ["whatsapp", "wa", "whats app"],
    "instagram": ["instagram", "insta", "ig"],
    "other": ["kakao", "kakaotalk", "snapchat", "snap", "tiktok", "抖音", "快手", "小红书号", "discord", "signal"],
}
# Latin markers that are also words or letters elsewhere: they need a word boundary around them.
_WORDLIKE = {"line", "wa", "ig", "tg", "snap", "signal", "vx", "wx", "qq", "insta", "telegram", "whatsapp"}
_CONTACT_RE = [
    (
        kind,
        re.compile(
            "|".join(
                (rf"(?<![a-z]){_fuzzy(m)}(?![a-z])" if m.isascii() or m in _WORDLIKE else _fuzzy(m))
                + ("(?!支付|付款)" if kind == "wechat" else "")
                for m in sorted(markers, key=len, reverse=True)
            )
        ),
    )
    for kind, markers in _CONTACT_MARKERS.items()
]
# Between a marker and its id: "：", "id", "is", "号", "me at", an arrow...
_FILLER = re.compile(rf"(?:[^a-z0-9{_CJK}]|[是号为搜加群]|id\b|is\b|me\b|at\b|on\b|my\b|号码|账号){{0,10}}")
# Markers that are also ordinary words ("the line was long", "WA" for Washington): they disclose an id
# only when it is introduced ("line: x", "line id x") or looks like one (has a digit, "_" or ".").
_AMBIGUOUS = frozenset({"line", "whatsapp", "other", "wechat slang"})
_ID = re.compile(r"[a-z0-9][a-z0-9_.\-]{3,29}")
_ID_BEFORE = re.compile(r"(?<![a-z0-9_.\-])([a-z0-9][a-z0-9_.\-]{3,29})[\s:：,，]*(?:加我|加|联系|我的|是我的)?\s*$")
_NOT_NAMES = frozenset(
    {
        *("for", "the", "and", "with", "this", "that", "you", "your", "now", "here", "too", "also", "page"),
        *("account", "group", "channel", "free", "plan", "daily", "called", "chat", "pics", "private"),
        *("tonight", "fast"),
    }
)

_LURES_EN = (
    "dm me",
    "dm for",
    "dm her",
    "dm him",
    "dm @",
    "message @",
    "contact @",
    "message me",
    "msg me",
    "pm me",
    "inbox me",
    "text me",
    "contact me",
    "add me",
    "hit me up",
    "link in bio",
    "link in my bio",
    "in my bio",
    "check my profile",
    "check out my",
    "visit my",
    "see my profile",
    "my page",
    "follow me",
    "go follow",
    "follow @",
    "use code",
    "promo code",
    "discount code",
    "coupon",
    "% off",
    "giveaway",
    "free gift",
    "limited offer",
    "order now",
    "shop now",
    "buy now",
    "sign up",
    "earn $",
    "per day",
    "work from home",
    "remote job",
    "part time job",
    "thank me later",
    "at checkout",
    "for details",
    "price list",
    "wholesale",
    "bonus",
    "free shipping",
    "shipping is free",
    "full price",
)
_LURES_ZH = (
    "私信",
    "私我",
    "私聊",
    "需要的私",
    "滴滴",
    "戳我",
    "加我",
    "找我",
    "联系我",
    "联系电话",
    "看主页",
    "主页",
    "扫码",
    "二维码",
    "优惠码",
    "折扣码",
    "领取",
    "福利",
    "代购",
    "包邮",
    "下单",
    "到手价",
    "限时",
    "秒杀",
    "进群",
    "拉你",
    "返现",
    "免费送",
    "关注我",
    "互关",
    "赚钱",
    "兼职",
    "日结",
    "点击",
    "链接：",
    "名额有限",
    "先到先得",
    "手慢无",
)
_LURES_TH = ("ทักแชท", "ทักมา", "ทักไลน์", "แอดไลน์", "สนใจทัก", "inbox", "ส่วนลด", "โปรพิเศษ")
_LURE_RE = re.compile("|".join(re.escape(lure) for lure in (*_LURES_EN, *_LURES_ZH, *_LURES_TH)))

# --- links ----------------------------------------------------------------------------------------

# A run of host characters and the path after it; the host is checked in Python (a nested pattern
# such as (label\.)+tld backtracks for minutes on "a.a.a.a...").
_LINK = re.compile(r"(?:(?:https?|hxxps?)://)?([a-z0-9][a-z0-9.-]*)(/[a-z0-9\-._~%!$&*+,;=:@/?#]*)?")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TLD_SET = frozenset(_TLDS.split("|"))
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "ne", "or", "go"})
_SHORTENERS = frozenset(
    {
        "t.cn",
        "bit.ly",
        "tinyurl.com",
        "goo.gl",
        "is.gd",
        "ow.ly",
        "t.co",
        "dwz.cn",
        "url.cn",
        "suo.im",
        "b23.tv",
        "xhslink.com",
        "v.douyin.com",
        "cutt.ly",
        "rebrand.ly",
        "shorturl.at",
        "s.id",
        "lnkd.in",
    }
)
# Profile links on other platforms: the payload is the account, whatever the link looks like.
_PROFILE_HOSTS = {
    "t.me": "telegram",
    "telegram.me": "telegram",
    "instagram.com": "instagram",
    "tiktok.com": "other",
    "x.com": "other",
    "twitter.com": "other",
    "facebook.com": "other",
    "line.me": "line",
}
# Sites whose links everybody shares: the whole address counts (not the site), and only in a text
# that also solicits.
_COMMON_SITES = frozenset(
    {
        "wikipedia.org",
        "youtube.com",
        "youtu.be",
        "google.com",
        "apple.com",
        "github.com",
        "xiaohongshu.com",
        "bilibili.com",
        "weibo.com",
        "zhihu.com",
        "douban.com",
        "taobao.com",
        "jd.com",
        "amazon.com",
        "bbc.co.uk",
        "nytimes.com",
        "imdb.com",
        "spotify.com",
        "netflix.com",
        "gmail.com",
        "qq.com",
        "163.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
        "icloud.com",
    }
)
_TRACKING = re.compile(r"^(?:utm_[a-z]+|ref|si|fbclid|gclid|spm|share_source|from)=")

# --- the rest ------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![a-z0-9._%+-])([a-z0-9][a-z0-9._%+-]{0,63})@([a-z0-9][a-z0-9.-]*)")
_MENTION = re.compile(r"(?<![a-z0-9_.@])@([a-z0-9_][a-z0-9_.]{1,29})")
_FOLLOW_NAME = re.compile(r"\bfollow\s+@?([a-z0-9_.]{4,30})")
_PHONE = re.compile(r"(?<![\d.])\+?\d(?:[\s\-.()/]{0,3}\d){6,15}(?![\d])")
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥₩฿]|rmb|usd|cny|hkd|nt\$|rm)\s?(\d{1,7}(?:[.,]\d{1,2})?)")
_CURRENCY_AFTER = re.compile(r"(\d{1,7}(?:\.\d{1,2})?)\s?(?:元|块|rmb|usd|dollars?|bucks|yuan|บาท|baht|円)")
_PRICE_CUE = re.compile(
    r"(?:只要|仅需|仅|特价|到手价?|代购|售价|现价|价格|only|just)\s?(\d{2,6})(?![\d.])|(?<![\d.])(\d{2,6})\s?(?:包邮|到手|一只|一件|起)"
)
_CODE_WORD = re.compile(
    r"(?:promo\s?code|discount\s?code|coupon(?:\s?code)?|voucher|referral\s?code|code"
    r"|优惠码|折扣码|邀请码|兑换码|推荐码|券码|口令)"
    r"(?:[\s:：=\-→>»]|is\b){0,4}([a-z0-9]{4,15})"
)
_CODE_WORD_AFTER = re.compile(
    r"(?<![a-z0-9])([a-z0-9]{4,15})\s?(?:是|为)?\s?(?:优惠码|折扣码|邀请码|兑换码|推荐码|券码|口令|promo\s?code|coupon)"
)
# Letters then digits in capitals, a space allowed between: GLOW25, HB 2088. Read from the text before
# case folding; weak (a model number looks the same), so it counts only in a text that solicits.
_CAPS_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{3,10}\s?\d{1,4}|[A-Z]{2}\s?\d{3,6})(?![A-Za-z0-9])")
# An id-looking word with an underscore (dk_52013): weak, like a mention.
_BARE_ID = re.compile(r"(?<![a-z0-9_.@/])([a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9])(?![a-z0-9_])")
_NOT_CODES = frozenset({"RMB", "USD", "CNY", "HKD", "EUR", "GBP", "JPY", "THB", "SGD", "AUD", "CAD", "NTD", "TWD"})


@dataclass(frozen=True)
class Payload:
    kind: str  # link | id | phone | email | price | code
    value: str  # normalised
    strong: bool
    via: str = ""  # what disclosed it: a marker ("wechat"), "mention", "profile link", "shortener"...

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"

    def describe(self) -> str:
        shown = self.value if len(self.value) <= 40 else self.value[:39] + "…"
        return f"{self.kind} {shown}" + (f" ({self.via})" if self.via else "")


@dataclass(frozen=True)
class Extracted:
    payloads: tuple[Payload, ...]
    lures: tuple[str, ...]

    @property
    def solicits(self) -> bool:
        """The text asks to be contacted, followed, bought from: a lure or a contact marker."""
        return bool(self.lures) or any(p.strong for p in self.payloads)

    @property
    def counted(self) -> tuple[Payload, ...]:
        """The payloads that take part in wave counting: strong ones, and weak ones in a text that
        solicits."""
        solicits = self.solicits
        return tuple(p for p in self.payloads if p.strong or solicits)

    def keys(self) -> list[str]:
        return list(dict.fromkeys(p.key for p in self.counted))


def _registrable(host: str) -> str:
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _clean_id(value: str) -> str:
    """One account name however it is written: meimei_2288 = meimei.2288 = MEIMEI-2288."""
    return re.sub(r"[._\-]", "", value.strip("._-"))


def _phone_key(digits: str) -> str:
    # The last nine digits: the same number with or without +86, +1 or a trunk 0.
    return digits[-9:]


def _links(text: str, out: list[Payload]) -> set[str]:
    seen_hosts: set[str] = set()
    for m in _LINK.finditer(text):
        host = m.group(1).strip(".-")
        labels = host.split(".")
        if len(labels) < 2 or labels[-1] not in _TLD_SET or not all(_LABEL.fullmatch(x) for x in labels):
            continue
        if host.startswith("www."):
            host = host[4:]
        start = m.start()
        if start > 0 and text[start - 1] == "@":
            continue  # the domain of an e-mail address
        seen_hosts.add(host)
        path = (m.group(2) or "").rstrip(".,!?;:")
        site = _registrable(host)
        profile = _PROFILE_HOSTS.get(host) or _PROFILE_HOSTS.get(site)
        if profile is not None:
            name = path.strip("/").split("/")[0].split("?")[0].lstrip("@")
            if name.isdigit() and len(name) >= 7:
                out.append(Payload("phone", _phone_key(name), True, "profile link"))
            elif len(name) >= 3:
                out.append(Payload("id", _clean_id(name), True, "profile link"))
            continue
        if host == "wa.me" or site == "wa.me":
            digits = re.sub(r"\D", "", path)
            if len(digits) >= 7:
                out.append(Payload("phone", _phone_key(digits), True, "whatsapp link"))
            continue
        if host in _SHORTENERS or site in _SHORTENERS:
            code = path.strip("/").split("?")[0]
            out.append(Payload("link", f"{host}/{code}" if code else host, True, "shortener"))
        elif site in _COMMON_SITES:
            query = "&".join(sorted(q for q in path.partition("?")[2].split("&") if q and not _TRACKING.match(q)))
            address = host + path.partition("?")[0].rstrip("/") + (f"?{query}" if query else "")
            out.append(Payload("link", address, False, "common site"))
        else:
            out.append(Payload("link", site, True))
    return seen_hosts


def _contacts(text: str, out: list[Payload]) -> bool:
    """Contact ids after a marker; True when the text shows a contact marker (a lure by itself,
    unless the marker is also an ordinary word and no id came with it)."""
    shown = False
    for kind, pattern in _CONTACT_RE:
        for m in pattern.finditer(text):
            shown = shown or kind not in _AMBIGUOUS
            # "xy_8866 加我微信": an id-looking word right before the marker.
            before = _ID_BEFORE.search(text[max(0, m.start() - 40) : m.start()])
            if before and kind not in _AMBIGUOUS and re.search(r"[\d_]", before.group(1)):
                out.append(Payload("id", _clean_id(before.group(1).rstrip("._-")), True, kind))
                shown = True
            rest = text[m.end() : m.end() + 60]
            filler = _FILLER.match(rest)
            skipped = rest[: filler.end()] if filler else ""
            after = rest[len(skipped) :]
            introduced = bool(re.search(r"[:：@号]|\bid\b", skipped)) or (
                kind not in _AMBIGUOUS and bool(skipped.strip())
            )
            digits = re.match(r"\+?\d(?:[\s\-.()]{0,2}\d){4,14}", after)
            if digits:
                number = re.sub(r"\D", "", digits.group(0))
                if len(number) >= 7:
                    out.append(Payload("phone", _phone_key(number), True, kind))
                    shown = True
                if kind != "whatsapp" and len(number) >= 5:
                    out.append(Payload("id", number, True, kind))
                    shown = True
                continue
            name = _ID.match(after)
            if name is None:
                continue
            value = name.group(0).rstrip("._-")
            # "sweet bun_77": an id cut in two by a space is also read joined.
            following = re.match(r"\s([a-z0-9_.\-]{2,20})", after[name.end() :])
            if following and not re.search(r"[\d_]", value) and re.search(r"[\d_]", following.group(1)):
                out.append(Payload("id", _clean_id(value + following.group(1)), True, kind))
                shown = True
            if value in _NOT_NAMES or not (introduced or re.search(r"[\d_.]", value)):
                continue
            out.append(Payload("id", _clean_id(value), True, kind))
            shown = True
    return shown


def extract(text: str) -> Extracted:
    prepared = prepare(text)
    payloads: list[Payload] = []
    for m in _EMAIL.finditer(prepared):
        domain = m.group(2).strip(".-")
        if "." not in domain or not re.fullmatch(r"[a-z]{2,12}", domain.rsplit(".", 1)[1]):
            continue
        local = m.group(1).split("+")[0].replace(".", "")
        payloads.append(Payload("email", f"{local}@{domain}", True))
    _links(prepared, payloads)
    marked = _contacts(prepared, payloads)
    for m in _MENTION.finditer(prepared):
        if m.start() > 0 and prepared[m.start() - 1].isalnum():
            continue
        payloads.append(Payload("id", _clean_id(m.group(1).rstrip(".")), False, "mention"))
    for m in _FOLLOW_NAME.finditer(prepared):
        name = m.group(1).rstrip(".")
        if re.search(r"[\d_.]", name):
            payloads.append(Payload("id", _clean_id(name), False, "follow"))
    without_dates = _DATES.sub(" ", prepared)
    for m in _PHONE.finditer(without_dates):
        digits = re.sub(r"\D", "", m.group(0))
        if 9 <= len(digits) <= 15:
            payloads.append(Payload("phone", _phone_key(digits), True))
    for pattern in (_CURRENCY_BEFORE, _CURRENCY_AFTER, _PRICE_CUE):
        for m in pattern.finditer(without_dates):
            amount = next(g for g in m.groups() if g)
            payloads.append(Payload("price", _amount(amount), False))
    for m in _CODE_WORD.finditer(prepared):
        code = m.group(1)
        if re.search(r"\d", code) or code.upper() in text.upper().replace(" ", ""):
            payloads.append(Payload("code", code, bool(re.search(r"\d", code)), "code word"))
    for m in _CODE_WORD_AFTER.finditer(prepared):
        if re.search(r"\d", m.group(1)) and re.search(r"[a-z]", m.group(1)):
            payloads.append(Payload("code", m.group(1), True, "code word"))
    for m in _CAPS_CODE.finditer(unicodedata.normalize("NFKC", text)):
        letters = re.match(r"[A-Z]+", m.group(1))
        if letters and letters.group(0) not in _NOT_CODES:
            payloads.append(Payload("code", m.group(1).replace(" ", "").lower(), False))
    for m in _BARE_ID.finditer(prepared):
        payloads.append(Payload("id", _clean_id(m.group(1)), False, "id-like word"))
    lures = tuple(dict.fromkeys(m.group(0) for m in _LURE_RE.finditer(prepared)))
    if marked and not lures:
        lures = ("contact marker",)
    unique = tuple(dict.fromkeys(p for p in payloads if p.value))
    # The same key as strong and weak: keep the strong reading.
    strong_keys = {p.key for p in unique if p.strong}
    return Extracted(tuple(p for p in unique if p.strong or p.key not in strong_keys), lures)


def _amount(raw: str) -> str:
    value = raw.replace(",", ".") if raw.count(",") == 1 and len(raw.split(",")[1]) <= 2 else raw.replace(",", "")
    try:
        number = float(value)
    except ValueError:
        return raw
    return f"{number:g}"


@lru_cache(maxsize=2048)
def keys_for(text: str) -> tuple[str, ...]:
    return tuple(extract(text).keys())
