"""Explicit opt-out *sentences* in seven languages ("please remove me from your list", "pare de
me mandar mensagem", "bitte keine Nachrichten mehr", "mujhe message mat karo", "tolong berhenti
kirim pesan").

Opt-out is a legal decision, so it is made by these readable rules, never by a model or by
sentiment. They are deliberately narrow: each needs an opt-out verb AND what it applies to
(messages, me, my number, the list), so "I'll stop by tomorrow", "it stopped working" or "don't
stop the promos" are not opt-outs. Used through `match_opt_out(text, sentences=True)` (the reply
classifier); the webhook request path keeps whole-message keywords only.

English rules are here; German is in optout_phrases_de, Spanish, Portuguese and French in
optout_phrases_romance, Hindi and Indonesian in optout_phrases_asia; cross-language families
(data-protection erasure, consent withdrawal, "block this number", threats to report, ...)
in optout_phrases_families.

Text is compared lower-cased, accents stripped, apostrophes and punctuation turned into spaces
("M'envoyer" -> "m envoyer", "não" -> "nao").
"""

from __future__ import annotations

import re
import unicodedata

from app.contacts import (
    optout_clause_words,
    optout_phrases_asia,
    optout_phrases_de,
    optout_phrases_families,
    optout_phrases_more,
    optout_phrases_prefilter,
    optout_phrases_romance,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_MAX_CHARS = 2000  # a reply longer than this is scanned on its first 2,000 characters

# "alerts"/"notifications" count only as "these/your/whatsapp alerts": they are often an
# order's or an app's ("stop the alerts for order 55", "cancel notifications for the old card").
_ALERTS = (
    r"(?:(?<=these )|(?<=those )|(?<=your )|(?<=ur )|(?<=whatsapp ))(alerts|notifications|"
    r"updates)"
)
_MSG = (
    r"(messages?|messaging|msgs?|texts?|sms|whatsapps?|promotions?|promos?|offers?|spam|ads|"
    r"broadcasts|marketing|" + _ALERTS + ")"
)
# What "cancel" may apply to: messages only ("cancel the offer" or "cancel my order" is a sale).
_CANCELLABLE = r"(messages|msgs|texts|sms|whatsapps|broadcasts|newsletters?|" + _ALERTS + ")"
# A negatable rule is cancelled by its language's "don't" right before it, in the same clause:
# "don't remove me", "you don't have to remove me", "no dejen de mandar", "jangan berhenti kirim"
# ("no, dejen de mandarme" is not negated: the comma ends the clause).
_NEGATORS = {
    "en": r"(dont|don t|do not|never)(\s+(have|need)\s+to)?|no\s+need\s+to",
    # "no me borren de la lista", "não me tirem da lista": the pronoun may sit in between
    "es": r"(no|nunca)(\s+(me|nos|lo|la|le|los|las))?",
    "pt": r"(nao|nunca)(\s+(me|nos|o|a))?",
    "id": r"jangan|jgn|(gak|ga|nggak|tidak|tdk)\s+(usah|perlu)|gausah",
}
_NEG_BEFORE = {lang: re.compile(rf"\b({neg})\s+$") for lang, neg in _NEGATORS.items()}
_NEG_WINDOW = 30

# (language, rule name, pattern, negatable: the language's "don't" right before cancels it)
_EN: list[tuple[str, str, str, bool]] = [
    # English
    (
        "en",
        "stop_sending",
        r"\b(stop|stpo|stp|stahp|quit|cease)\s+(sending|texting|messaging|msging|msg|"
        r"contacting|spamming|writing|bothering|whatsapping|calling)\b",
        True,
    ),
    (
        "en",
        "remove_me",
        r"\b(remove|remov|delete|erase)\s+(me|my\s+(number|contact|details|name|data)"
        r"|this\s+number)\b",
        True,
    ),
    (
        "en",
        "stop_the_messages",
        r"\b(stop|stahp|cease)\s+(the|these|those|your|ur|all|this|all\s+the|all\s+your)\s+"
        r"((marketing|promotional|commercial|whatsapp|sms)\s+)?" + _MSG + r"\b",
        True,
    ),
    # "how do I stop getting these messages", "I want to stop receiving your texts"
    (
        "en",
        "stop_getting",
        r"\b(how\s+(do|can|would)\s+(i|we)|how\s+to|(i|we)\s+(want|wanna|need|would\s+like|"
        r"d\s+like)\s+to|can\s+(i|we)|let\s+me)\s+stop\s+(getting|receiving)\s+((these|those|"
        r"the|your|ur|any|all|this|all\s+(the|these|your))\s+)?" + _MSG + r"\b",
        True,
    ),
    # "cancel these messages", "cancel my subscription to these whatsapp alerts"
    (
        "en",
        "cancel_messages",
        r"\bcancel\s+((these|those|the|your|ur|all|all\s+(the|these|your)|my\s+subscription\s+"
        r"to(\s+(these|the|your|this))?)\s+)?(whatsapp\s+)?" + _CANCELLABLE + r"\b",
        True,
    ),
    # "pls stop i'm getting like 3 a day": stop + a complaint about how many arrive
    (
        "en",
        "stop_too_many",
        r"(^|\|\s|\b(pls|please|plz|just|ok|omg|now|seriously|guys)\s)stop\b"
        r"(?!\s+(by|in|at|over|\w+ing)\b)\W.{0,40}\b(too\s+many|so\s+many|(\d+|two|three|four|"
        r"five|six|ten)\s+(\w+\s+)?(a|per|every|each)\s+(day|week|hour))\b",
        True,
    ),
    ("en", "take_me_off", r"\btake\s+(me|my\s+number)\s+(off|out\s+of|from)\b", True),
    # "get me off your list", "leave me out of the broadcasts": other verbs need the list
    (
        "en",
        "get_me_off",
        r"\b(get|leave|keep)\s+(me|us|my\s+number)\s+(off|out\s+of)\s+((your|ur|this|the|that|"
        r"these|those|all|all\s+(your|the|these))\s+)?((mailing|contact|broadcast|whatsapp|"
        r"sms|text|marketing|promo)\s+)?(list|lists|broadcasts?|messages|texts|spam|promos?)\b",
        True,
    ),
    (
        "en",
        "unsubscribe",
        r"\bun\s?(sub|subscribe|suscribe|subcribe|subscibe|subsribe|subscrib)\b",
        True,
    ),
    ("en", "opt_out", r"\bopt\s*(me\s+)?(out|from)\b", True),
    (
        "en",
        "dont_contact",
        r"\b(dont|don t|do not|never)\s+(text|message|msg|contact|whatsapp|"
        r"write\s+to|spam|send\s+(me\s+)?(any\s+more\s+)?" + _MSG + r")\s+(me|us|this\s+number)?\s*"
        # "... on WhatsApp anymore": the channel may be named before "anymore"
        r"((on|via|over|through|by|at)\s+(whatsapp|wa|here|this\s+number|sms|text|this\s+app)\s+)?"
        r"(again|anymore|any\s+more|ever|$)",
        False,
    ),
    # "don't send me anything else", "please don't send me any more of these" (ending the reply)
    (
        "en",
        "dont_send_anything",
        r"\b(dont|don t|do not|never)\s+send\s+(me|us)\s+(anything\s+(else|more)|(any\s+more|"
        r"anymore|more)\s+of\s+(these|those|them))(?=\s*(please|pls|plz|thanks|thank\s+you|thx|"
        r"again|ever|ok)?$)"
        # "pls don't send anything else to this number"
        r"|\b(dont|don t|do not|never)\s+send\s+((me|us)\s+)?(anything(\s+(else|more))?|any\s+more"
        r"(\s+" + _MSG + r")?|" + _MSG + r")\s+to\s+(this|my)\s+(number|phone|whatsapp)\b",
        False,
    ),
    ("en", "no_more", r"\bno\s+more\s+" + _MSG + r"\b", False),
    # the legal formula (not "I got a cease and desist letter")
    (
        "en",
        "cease_and_desist",
        r"\bcease\s+and\s+desist\b(?!\s+(letter|order|notice|letters|orders|notices)\b)",
        False,
    ),
    # "enough texts", "ok enough with the promos" opening a sentence (reads the clauses)
    (
        "en",
        "enough",
        r"(^|\|\s)((ok|okay|ok\s+that\s+s|that\s+s|seriously|guys|pls|please)\s+)?enough\s+"
        r"((with|of)\s+)?((the|these|those|your|ur|all\s+the|all\s+these)\s+)?(messages|msgs|"
        r"texts|spam|whatsapps|promos|promotions|broadcasts|ads|offers)\b"
        # the sentence ends there ("enough messages for today, talk tomorrow" is not one)
        r"(?=\s*((please|pls|plz|already|now|stop|seriously|guys|ok|thanks)\s*)?(\||$))",
        True,
    ),
    (
        "en",
        "dont_want",
        r"\b(dont|don t|do not)\s+want\s+(to\s+(receive|get)\s+)?(these|your|any|"
        r"this|such|more|any\s+more)?\s*" + _MSG + r"\b",
        False,
    ),
    (
        "en",
        "not_on_list",
        r"\b(dont|don t|do not|no longer)\s+want\s+to\s+be\s+(on|in)\s+(your|ur|this|the|that)\s+"
        r"(list|mailing\s+list|contact\s+list|broadcast\s+list|broadcast)\b"
        # the list itself, not "the list for the red shoes" (a waitlist)
        r"(?=\s*($|anymore|any\s+more|please|pls|plz|thanks|thank\s+you|thx|ok|stop|remove))",
        False,
    ),
    # "who gave you my number?? remove it now": asks where the number came from, then deletes it
    (
        "en",
        "number_origin_delete",
        r"\b((where|how)\s+(did|d)\s+(you|u|ya)\s+(get|find|obtain)|who\s+gave\s+(you|u))\s+"
        r"(my|this)\s+(number|contact|details)\b.{0,40}"
        r"(?<!dont )(?<!don t )(?<!not )(?<!never )(?<!didnt )(?<!didn t )(?<!to )(?<!d )"
        r"\b(delete|remove|erase)\b",
        False,
    ),
]
RULES: list[tuple[str, str, str, bool]] = [
    *_EN,
    *optout_phrases_de.RULES,
    *optout_phrases_romance.RULES,
    *optout_phrases_asia.RULES,
    *optout_phrases_families.RULES,
    *optout_phrases_more.RULES,
]
# A leading "\b" keeps `re` from skipping ahead to the rule's first letters, so each rule is
# first looked for without it (a looser pattern: if it finds nothing, neither can the rule). On a
# 2,000-character reply that halves the time of the rules that cannot match.
# Before either, optout_phrases_prefilter skips a rule when no word of the text starts with one
# of the literals the rule's matches start with.
_COMPILED = [
    (lang, name, re.compile(p), re.compile(p[2:]) if p.startswith(r"\b") else None, neg, keys)
    for lang, name, p, neg in RULES
    for keys in (optout_phrases_prefilter.rule_keys(p),)
]
_INDEX = optout_phrases_prefilter.RuleIndex(
    [keys for *_, keys in _COMPILED], [neg for *_, neg, _ in _COMPILED]
)
_SEGMENT_MAX = 40  # longer sentences are never a bare keyword

# A sentence of the reply that is only one of these (politeness words aside, repeats allowed)
# is an opt-out: "Not interested. STOP", "stop stop stop", "Baja", "berhenti ya kak", "STOPP".
SEGMENT_WORDS = {
    "stop": "en", "stop all": "en", "unsubscribe": "en", "unsub": "en", "opt out": "en",
    "optout": "en", "baja": "es", "sair": "pt", "descadastrar": "pt", "berhenti": "id",
    "abmelden": "de", "austragen": "de", "abbestellen": "de", "stopp": "de",
    "desinscription": "fr", "desabonner": "fr", "arretez": "fr", "arrete": "fr",
    "stop pub": "fr", "stop pubs": "fr", "stop spam": "en", "stop promos": "en",
    "parem": "pt", "paren": "es", "band karo": "hi", "band kro": "hi", "band kar do": "hi",
    "bandh karo": "hi", "stop karo": "hi", "stop kar do": "hi", "berhentiin": "id",
    "hentikan": "id", "stop kardo": "hi", "stop krdo": "hi", "stop kr do": "hi",
    "band kardo": "hi", "band krdo": "hi", "band kr do": "hi", "bnd karo": "hi", "bnd kro": "hi",
    "stop kro": "hi", "basta": "es", "parar": "pt", "arret": "fr", "chega": "pt", "cukup": "id",
    "udahan": "id", "bas": "hi", "bas karo": "hi", "bass karo": "hi", "pack it in": "en",
    "knock it off": "en", "give it a rest": "en", "hort auf": "de", "remove": "en",
    "ja chega": "pt", "ca suffit": "fr", "stop ca suffit": "fr", "udah stop": "id",
    "no more": "en", "no mas": "es",
    "ya basta": "es",
    "horts auf": "de", "hort auf damit": "de",
    "unreg": "id",
}  # fmt: skip
_POLITE = _words(
    "please pls plz kindly now thanks thx thank you svp bitte por favor ya kak ji bhai yaar "
    "sir merci danke obrigado obrigada valeu gracias porfa ok pf makasih terimakasih shukriya "
    "dhanyavad terima kasih min gan sis dong aja deh porfavor pfv plis maintenant ahora agora "
    "jetzt sekarang abhi"
)
_SEGMENTS = re.compile(r"([.!?;,\n]+)")  # captured: the separators are kept
# Laughter after a leading bare "stop," ("Stop, that's hilarious 😂", "arrête, mort de rire",
# "stop stop, ngakak"), or delight ("Stop! That's too good a deal 😍", "arrête, c'est trop
# beau"): a joke, so that leading keyword alone does not opt out. Only these: "STOP, not
# interested" and "Stop, wrong number" stay opt-outs.
_LAUGH_EMOJI = re.compile(
    "[\U0001f602\U0001f923\U0001f606\U0001f639\U0001f60d\U0001f929\U0001f970\U0001f63b]"
)
_LAUGH_WORDS = re.compile(
    r"\b((ha){2,}h?|(he){2,}|lol+|lmao+|rofl|(ja){2,}|(je){2,}|k{3,}|(rs){2,}|(wk){2,}|mdr|ptdr|"
    r"ngakak|hilarious|hasa|ich\s+lach\w*|lach\s+mich|mort\s+de\s+rire|morte\s+de\s+rire|"
    r"muero\s+de\s+risa|morrendo\s+de\s+rir|too\s+good|trop\s+beau|trop\s+bien|"
    r"demasiado\s+bueno|bom\s+demais|zu\s+gut|bagus\s+banget|kya\s+baat|mast)\b"
)
# ... or about to buy ("Stop! That's exactly the car I was looking for. Is it available?"),
# unless a "not" says otherwise ("STOP. I'm not looking for a new plan", "STOP. No lo quiero")
_BUYING = re.compile(
    r"(?<!not )(?<!no )(?<!nao )(?<!pas )(?<!nicht )(?<!nahi )(?<!gak )(?<!tidak )(?<!m )"
    r"\b((still\s+)?available|(still\s+)?in\s+stock|disponible|disponivel|verfugbar|tersedia|"
    r"i\s+ll\s+take\s+(it|one|two|them|both)|j\s+en\s+prends|me\s+lo\s+llevo|vou\s+levar|"
    r"looking\s+for|lo\s+que\s+buscaba|convenciste|me\s+convenceu|convinced|lo\s+quiero|"
    r"la\s+quiero|i\s+want\s+it|je\s+le\s+veux|ich\s+will\s+es|mau\s+dong|"
    r"(price|prix|precio|preco|preis|harga\w*|daam)\s+(is\s+|est\s+|es\s+|e\s+|ist\s+)?(\w+\s+)?"
    r"(crazy|insane|dingue|fou|loco|una\s+locura|louco|irre|wahnsinn|gila))\b"
)
# A leading "stop" then a request to send ("Stop, just send me the price"): an interjection
_SEND_ME = re.compile(
    r"(?<!don t )(?<!not )(?<!no )(?<!nao )(?<!ne )(?<!nicht )(?<!mat )(?<!jangan )(?<!you )"
    r"(?<!u )(?<!they )"
    r"\b(just\s+|only\s+|please\s+|pls\s+)?(send|text|mandame|mandem|manda|envoyez|envoie|"
    r"schick|schickt|bhejo|kirim|kirimin)\s+(me|moi|mir|mujhe|aku|saya|it|us)\b"
)
# Shock after a leading "stop" is delight when it is about the price or the offer being real
# ("Stop, j'ai failli tomber en voyant ce prix 😱"); craving always is ("Stop! These pics 🤤").
_CRAVING_EMOJI = re.compile("[\U0001f924\U0001f60b\U0001f525]")
_SHOCK_EMOJI = re.compile("[\U0001f631\U0001f640\U0001f92f]")
_PRICE_OR_REAL = re.compile(
    r"\b(price|prices|prix|precio|precios|preco|precos|preis|preise|harga\w*|daam|kimat|"
    r"really|for\s+real|c\s+est\s+vrai|en\s+serio|serio|wirklich|sach\s+mein|beneran|won|gagne|"
    r"gewonnen|menang|gane|ganhei|jeet\w*|no\s+way|pas\s+possible|echt\s+jetzt|serius|"
    r"seriusan)\b"
)
# The stop-sign emoji reads as "stop"; next to it "stop it" is a request, not a "stop it 😂".
_STOP_SIGN = "\U0001f6d1"


_PUNCT = re.compile(r"[^\w\s]|_")
_PUNCT_BUT_COMMAS = re.compile(r"[^\w\s,]|_")
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_SPACES = re.compile(r"\s+")


def normalize(text: str, *, stretched: bool = False, commas: bool = False) -> str:
    """Lower case, accents stripped, punctuation and apostrophes as spaces, stretched letters
    shortened ("chegaaaa" -> "chega", "auuuuf" -> "auf") unless `stretched` (laughter: "kkkk");
    with `commas`, a comma is kept as a word of its own (optout_clauses: "no , dejen de")."""
    text = text[:_MAX_CHARS].lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = (_PUNCT_BUT_COMMAS if commas else _PUNCT).sub(" ", text)
    if commas:
        text = text.replace(",", " , ")
    text = _SPACES.sub(" ", text).strip()
    return text if stretched else _ELONGATED.sub(r"\1", text)


def _content(part: str) -> list[str]:
    return [w for w in normalize(part).split() if w not in _POLITE]


def _bare_keyword(part: str) -> str | None:
    if len(part) > _SEGMENT_MAX:
        return None
    sign = _STOP_SIGN in part
    words = _content(part.replace(_STOP_SIGN, " stop "))
    if sign and set(words) == {"stop", "it"}:
        return "en:stop"
    if sign and len(set(words)) > 1:  # "PAREM 🛑": the sign next to a keyword
        words = [w for w in words if w != "stop"]
    if len(set(words)) == 1:  # "stop stop stop"
        words = words[:1]
    lang = SEGMENT_WORDS.get(" ".join(words))
    return f"{lang}:{''.join(words)}" if lang else None


def _segment_match(text: str) -> str | None:
    parts = _SEGMENTS.split(text[:_MAX_CHARS])  # [sentence, separator, sentence, ...]
    for i in range(0, len(parts), 2):
        found = _bare_keyword(parts[i])
        # also "STOP, not interested": a leading "stop," is honoured, unless laughter, delight
        # or a request to send follows ("Stop, just send me the price")
        if found and not (i == 0 and _not_meant("".join(parts[1:]))):
            return found
    return None


def _not_meant(rest: str) -> bool:
    return laughs(rest) or bool(_SEND_ME.search(normalize(rest)))


def laughs(rest: str) -> bool:
    """Laughter or delight: a "stop" next to it is a joke ("Stop, that's hilarious 😂")."""
    if _LAUGH_EMOJI.search(rest) or _CRAVING_EMOJI.search(rest):
        return True
    norm = normalize(rest, stretched=True)
    return bool(_LAUGH_WORDS.search(norm) or _BUYING.search(norm)) or bool(
        _SHOCK_EMOJI.search(rest) and _PRICE_OR_REAL.search(norm)
    )


# never negated: "no queremos seguir recibiendo" is no wish to keep them
def _guard(words: list[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<!\bno )(?<!nao )(?<!not )(?<!\bt )(?<!nahi )\b({'|'.join(words)})\b")


_WANTS_THEM = _guard(optout_clause_words.GUARDS["wants_them"])
_STOPPED_COMING = _guard(optout_clause_words.GUARDS["stopped_coming"])


def unwanted_reading(text: str) -> bool:
    """The text wants the messages or complains they stopped coming ("did you stop sending
    them?", "I want them")."""
    norm = normalize(text)
    return bool(_WANTS_THEM.search(norm) or _STOPPED_COMING.search(norm))


# A change of channel, not of consent: "stop sending me the paper bill, here is fine"
_PAPER = re.compile(r"\b(papel|papier|paper|kertas|hard\s?copy|carta|cartas|lettres?|briefe?)\b")
_HERE = re.compile(r"\b(por\s+aqui|par\s+ici|here|yahin|aqui|ici|hier|whatsapp|wa)\b")


def without_unwanted(text: str) -> str:
    """The reply without its clauses that complain the messages stopped coming, or nothing of
    it when it wants them: "did you stop sending them? I want them" reads as nothing, "I
    haven't received my refund, and stop sending me promotions" as its second clause."""
    norm = normalize(text)
    if _WANTS_THEM.search(norm) or (_PAPER.search(norm) and _HERE.search(norm)):
        return ""  # "don't remove me, I want the offers", "no paper bill, WhatsApp is fine"
    parts = _SEGMENTS.split(text[:_MAX_CHARS])  # [clause, separator, clause, ...]
    kept = [
        "".join(parts[i : i + 2]) for i in range(0, len(parts), 2) if not unwanted_reading(parts[i])
    ]
    return "".join(kept)


def _leading_joke(text: str) -> str | None:
    """What follows a leading bare "stop" said in laughter or delight, else None."""
    parts = _SEGMENTS.split(text[:_MAX_CHARS])
    if len(parts) > 2 and _bare_keyword(parts[0]) and _not_meant("".join(parts[1:])):
        return "".join(parts[2:])
    return None


# A request about a waitlist ("take me off the waitlist for Tuesday", "bórrame de la lista de
# espera", "hapus saya dari daftar tunggu") moves a booking: it is not about the messages.
_WAITLIST = re.compile(
    r"\b(wait\s*list|waiting\s+list|lista\s+de\s+espera|fila\s+de\s+espera|liste\s+d\s+attente|"
    r"warteliste|daftar\s+tunggu|antrian)\b"
    # ... or out of a class: "unsubscribe from the Tuesday spin class"
    r"|\b(from|de|du|vom|dari)\s+((the|la|el|le|my|mi|ma)\s+)?(\w+\s+){0,3}(class|classes|clase|"
    r"clases|aula|aulas|cours|kurs|kurse|kelas|lessons?|courses?|trainings?|sessions?|cursos?|"
    r"lecciones|licoes|menu|lunch|canteen|comedor|cantine|kantine)\b"
)
_WAITLIST_BEFORE, _WAITLIST_AFTER = 20, 40


_NEWSLETTER = re.compile(r"\b(newsletters?|infolettres?|notifications|updates|messages|mails)\b")


def _about_a_waitlist(text: str, start: int, end: int) -> bool:
    near = text[max(0, start - _WAITLIST_BEFORE) : end + _WAITLIST_AFTER]
    return bool(_WAITLIST.search(near)) and not _NEWSLETTER.search(near)


def _negated(lang: str, clauses: str, start: int) -> bool:
    before = _NEG_BEFORE.get(lang)
    return bool(before and before.search(clauses[max(0, start - _NEG_WINDOW) : start]))


def match_bare_keyword(text: str) -> str | None:
    """`"phrase:<lang>:<word>"` when a sentence of the reply is only a stop word, else None."""
    found = _segment_match(text)
    return f"phrase:{found}" if found else None


def match_phrase_in(text: str) -> str | None:
    """`"phrase:<lang>:<rule>"` for an explicit opt-out sentence in a reply already cut by
    `without_unwanted`, else None."""
    text = _leading_joke(text) or text  # "Arrête, cette promo est trop bien 😂": the rest only
    norm = normalize(text)
    # Negatable rules read the clauses, sentence punctuation kept as "|" ("no | dejen de")
    clauses = " | ".join(normalize(p) for p in _SEGMENTS.split(text[:_MAX_CHARS])[::2])
    prefixes = optout_phrases_prefilter.text_keys(norm, clauses)
    for i in _INDEX.candidates(prefixes, norm, clauses):
        lang, name, pattern, loose, negatable, _ = _COMPILED[i]
        where = clauses if negatable else norm
        if loose is not None and not loose.search(where):
            continue
        for m in pattern.finditer(where):
            if negatable and _negated(lang, where, m.start()):
                continue
            if not _about_a_waitlist(where, m.start(), m.end()):
                return f"phrase:{lang}:{name}"
    return None
