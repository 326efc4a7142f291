"""Phrase tables of the local rewriter, per tone. The first entry of each list is the main
rewrite's choice; variants pick others (seeded)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")

GREETINGS: dict[str, tuple[str, ...]] = {
    "friendly": (
        "Hi {who}!",
        "Hey {who}!",
        "Hello {who}! 👋",
        "Hi {who} 🙂",
        "Hi {who}, hope you're well!",
    ),
    "professional": (
        "Hello {who},",
        "Good day {who},",
        "Dear {who},",
        "Hello {who}, I hope you are well.",
    ),
    "casual": (
        "Hey {who}!",
        "Hi {who},",
        "Hey {who} 👋",
        "Hiya {who}!",
        "Hey {who}, hope all's good!",
    ),
    "formal": (
        "Dear {who},",
        "Good day, {who}.",
        "Dear {who}, I hope this message finds you well.",
        "Dear {who}, we trust you are well.",
    ),
    "enthusiastic": ("Hi {who}!", "Hey {who}! 🎉", "Hello {who}, exciting times!", "Hey {who}! 🙌"),
    "empathetic": (
        "Hi {who}, I hope you're doing well.",
        "Hello {who},",
        "Hi {who}, I hope your week is going well.",
        "Hi {who}, I hope all is well with you.",
    ),
}
OPENERS: dict[str, tuple[str, ...]] = {
    "friendly": (
        "",
        "Just a quick note:",
        "I thought you'd like to know:",
        "Quick heads-up:",
        "A little update for you:",
    ),
    "professional": (
        "",
        "I would like to let you know:",
        "A short update for you:",
        "Please note:",
        "A brief note:",
    ),
    "casual": ("", "Quick one:", "Just so you know,", "Heads-up:", "FYI:"),
    "formal": (
        "",
        "We would like to inform you:",
        "Please be advised:",
        "For your information:",
        "Kindly note:",
    ),
    "enthusiastic": (
        "",
        "We're excited to share this:",
        "Here's something you'll love:",
        "Good news:",
        "Big news:",
    ),
    "empathetic": (
        "",
        "I wanted to reach out personally:",
        "Just so you have it:",
        "In case it helps:",
        "A gentle note:",
    ),
}
CLOSINGS: dict[str, tuple[str, ...]] = {
    "friendly": (
        "Let me know if you'd like more details!",
        "Happy to help if you have any questions.",
        "Just reply here if you're interested 🙂",
        "Have a lovely day!",
        "Thanks, and talk soon!",
    ),
    "professional": (
        "Please let me know if you have any questions.",
        "I would be glad to share further details.",
        "Kind regards.",
        "Thank you for your time.",
        "I look forward to hearing from you.",
    ),
    "casual": (
        "Let me know!",
        "Give me a shout if you want to know more.",
        "Just reply if you're keen.",
        "Cheers!",
        "Catch you later!",
    ),
    "formal": (
        "Please do not hesitate to contact us should you require further information.",
        "Yours sincerely.",
        "We remain at your disposal for any questions.",
        "With kind regards.",
        "We look forward to your reply.",
    ),
    "enthusiastic": (
        "Can't wait to hear what you think!",
        "Reply here and we'll sort it out for you!",
        "Hope you love it as much as we do!",
        "Talk soon!",
        "Have an amazing day!",
    ),
    "empathetic": (
        "If anything is unclear, just reply and I'll help.",
        "Take your time, and reply whenever suits you.",
        "We're here if you need anything.",
        "Thank you for being with us.",
        "Wishing you a good day.",
    ),
}

# Messages in another language get a frame in that language (greeting, opener, closing), the
# same for every tone: the tone vocabulary below is English. `{who}` is the contact's name.
LOCAL_FRAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "es": (
        ("¡Hola {who}!", "Hola {who},", "¡Buenas, {who}!", "Hola {who} 🙂"),
        ("", "Te cuento:", "Una nota rápida:"),
        (
            "Si tienes dudas, responde a este mensaje.",
            "¡Quedo atento a lo que necesites!",
            "Escríbenos si te interesa 🙂",
            "¡Que tengas un buen día!",
        ),
    ),
    "pt": (
        ("Olá {who}!", "Oi {who},", "Oi {who}! 👋", "Olá {who} 🙂"),
        ("", "Passando para avisar:", "Uma novidade rápida:"),
        (
            "Qualquer dúvida, é só responder.",
            "Se tiver interesse, responda por aqui 🙂",
            "Fico à disposição!",
            "Tenha um ótimo dia!",
        ),
    ),
    "fr": (
        ("Bonjour {who},", "Bonjour {who} !", "Salut {who} 👋", "Bonjour {who} 🙂"),
        ("", "Petite info :", "Juste pour vous informer :"),
        (
            "N'hésitez pas à répondre si vous avez des questions.",
            "Répondez ici si cela vous intéresse 🙂",
            "Belle journée à vous !",
            "À votre disposition pour en parler.",
        ),
    ),
    "de": (
        ("Hallo {who},", "Hallo {who}!", "Hi {who} 👋", "Guten Tag {who},"),
        ("", "Kurze Info:", "Nur damit Sie Bescheid wissen:"),
        (
            "Bei Fragen einfach auf diese Nachricht antworten.",
            "Antworten Sie gern hier, wenn Sie Interesse haben 🙂",
            "Einen schönen Tag noch!",
            "Wir helfen gern weiter.",
        ),
    ),
    "id": (
        ("Halo {who}!", "Hai {who},", "Halo {who} 👋", "Hai {who} 🙂"),
        ("", "Info singkat:", "Sekadar mengabarkan:"),
        (
            "Kalau ada pertanyaan, balas saja pesan ini ya.",
            "Balas di sini kalau tertarik 🙂",
            "Semoga harimu menyenangkan!",
            "Kami siap membantu.",
        ),
    ),
    "hi": (
        ("Namaste {who}!", "Hi {who} ji,", "Hello {who} 🙏", "Namaste {who} 🙂"),
        ("", "Ek chhoti si update:", "Aapko batana tha:"),
        (
            "Koi sawaal ho to isi message par reply karein.",
            "Interest ho to yahin reply kar dijiye 🙂",
            "Aapka din shubh ho!",
            "Hum madad ke liye yahan hain.",
        ),
    ),
}


class Table(Generic[V]):
    """Many (pattern, value) pairs as ONE regex: a rewrite costs one pass per table, not one
    per phrase. At one position the earlier pair wins."""

    def __init__(self, pairs: tuple[tuple[str, V], ...]) -> None:
        self.values = [value for _, value in pairs]
        alternatives = "|".join(f"(?P<g{i}>{p})" for i, (p, _) in enumerate(pairs))
        self.pattern = re.compile(rf"\b(?:{alternatives})\b", re.I)

    def sub(self, text: str, replace: Callable[[str, V], str]) -> str:
        return self.pattern.sub(
            lambda m: replace(m.group(), self.values[int(m.lastgroup[1:])]), text
        )


def _table(pairs: tuple[tuple[str, str], ...]) -> Table[str]:
    return Table(pairs)


# Pushy phrases → calm ones. Applied to every tone; the options are varied per variant.
SPAM_PHRASES: Table[tuple[str, ...]] = Table(
    (
        (
            r"click (?:here|now|below)(?: now)? (?:for|to get|to see)",
            ("have a look at", "take a look at", "see"),
        ),
        (
            r"click (?:here|now|the link|this link|below)(?: now)?",
            ("have a look", "take a look", "see the details"),
        ),
        (
            r"(?:buy|shop|order) now",
            ("place your order", "feel free to order", "order whenever you like"),
        ),
        (r"act (?:now|fast|quickly)", ("feel free to take a look", "have a look when you can")),
        (r"call now", ("give us a call", "feel free to call us")),
        (
            r"limited[- ]time offer",
            (
                "an offer for a limited time",
                "a time-limited offer",
                "a special offer for a short time",
            ),
        ),
        (
            r"(?:for a )?limited time(?: only)?",
            ("for a limited time", "for a short time", "while it lasts"),
        ),
        (
            r"(?:don't|do not) miss (?:out|it|this)",
            ("worth a look", "it would be a shame to miss it"),
        ),
        (r"hurry(?: up)?", ("when you have a moment", "at your convenience")),
        (r"last chance", ("a last reminder", "a final reminder")),
        (r"urgent(?:ly)?", ("important", "worth a look soon")),
        (r"exclusive (?:deal|offer)", ("a special offer", "an offer picked for you")),
        (r"once in a lifetime", ("rare", "special")),
    )
)

# Vocabulary per tone.
_CASUAL_WORDS = (
    ("purchase", "buy"),
    ("assistance", "help"),
    ("regarding", "about"),
    ("however", "but"),
    ("kindly", "please"),
    ("obtain", "get"),
    ("commence", "start"),
    ("u", "you"),
    ("ur", "your"),
    ("pl[sz]", "please"),
)
_HYPE = r"(?:awesome|amazing|incredible|insane|crazy|unbelievable|mind-blowing)"
TONE_WORDS: dict[str, Table[str]] = {
    "friendly": _table((*_CASUAL_WORDS, (_HYPE, "great"))),
    "casual": _table((*_CASUAL_WORDS, (_HYPE, "really good"))),
    "enthusiastic": _table((*_CASUAL_WORDS, (_HYPE, "fantastic"))),
    "empathetic": _table((*_CASUAL_WORDS, (_HYPE, "lovely"))),
    "professional": _table(
        (
            ("hey", "hello"),
            ("check out", "review"),
            ("buy", "purchase"),
            ("cheap", "affordable"),
            (_HYPE, "excellent"),
            ("stuff", "items"),
            ("asap", "as soon as possible"),
            ("thanks", "thank you"),
            ("guys", "everyone"),
            ("u", "you"),
            ("ur", "your"),
            ("pl[sz]", "please"),
        )
    ),
}
TONE_WORDS["formal"] = TONE_WORDS["professional"]

CONTRACT = _table(
    (
        ("we are", "we're"),
        ("you are", "you're"),
        ("it is", "it's"),
        ("do not", "don't"),
        ("does not", "doesn't"),
        ("we have", "we've"),
        ("I am", "I'm"),
        ("cannot", "can't"),
        ("will not", "won't"),
        ("let us", "let's"),
        ("that is", "that's"),
        ("we will", "we'll"),
    )
)
EXPAND = _table(
    (
        ("we're", "we are"),
        ("you're", "you are"),
        ("it's", "it is"),
        ("don't", "do not"),
        ("doesn't", "does not"),
        ("we've", "we have"),
        ("I'm", "I am"),
        ("can't", "cannot"),
        ("won't", "will not"),
        ("let's", "let us"),
        ("that's", "that is"),
        ("we'll", "we will"),
        ("gonna", "going to"),
        ("wanna", "want to"),
    )
)

# Neutral word choices that variants spread over (the same offer in other words).
VARIATIONS: Table[tuple[str, ...]] = Table(
    (
        ("new", ("new", "brand-new", "latest")),
        ("check out", ("check out", "have a look at", "take a look at")),
        ("great", ("great", "lovely", "really good")),
        ("offer", ("offer", "deal", "promotion")),
        ("products", ("products", "items", "range")),
        ("let (?:me|us) know", ("let me know", "tell me", "drop me a line")),
        ("interested", ("interested", "keen")),
        ("discount", ("discount", "reduction", "saving")),
        ("launched", ("launched", "released", "introduced")),
        ("happy to", ("happy to", "glad to")),
        ("customers", ("customers", "clients")),
        ("questions", ("questions", "queries")),
        ("here is", ("here is", "here's", "this is")),
        ("we can", ("we can", "we're able to")),
        ("as promised", ("as promised", "as I said")),
        ("thank you", ("thank you", "many thanks")),
        ("shipped", ("shipped", "been sent", "left our warehouse")),
        ("arrive", ("arrive", "reach you", "be with you")),
        ("reminder", ("reminder", "note")),
        ("confirmed", ("confirmed", "all set", "booked")),
        ("available", ("available", "in stock", "ready")),
    )
)

# All-caps words that stay as they are (none longer than 3 letters).
ACRONYMS = frozenset(
    [
        "OK",
        "USA",
        "UK",
        "EU",
        "FAQ",
        "PDF",
        "ID",
        "TV",
        "PC",
        "CEO",
        "VIP",
        "SMS",
        "GPS",
        "ATM",
        "DIY",
        "AM",
        "PM",
        "CV",
        "QR",
        "API",
        "URL",
        "HR",
        "IT",
        "AI",
        "VAT",
    ]
)
