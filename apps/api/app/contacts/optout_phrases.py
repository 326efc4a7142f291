"""Explicit opt-out *sentences* in seven languages ("please remove me from your list", "pare de
me mandar mensagem", "bitte keine Nachrichten mehr", "mujhe message mat karo", "tolong berhenti
kirim pesan").

Opt-out is a legal decision, so it is made by these readable rules, never by a model or by
sentiment. They are deliberately narrow: each needs an opt-out verb AND what it applies to
(messages, me, my number, the list), so "I'll stop by tomorrow", "it stopped working" or "don't
stop the promos" are not opt-outs. Used through `match_opt_out(text, sentences=True)` (the reply
classifier); the webhook request path keeps whole-message keywords only.

Text is compared lower-cased, accents stripped, apostrophes and punctuation turned into spaces
("M'envoyer" -> "m envoyer", "não" -> "nao").
"""

from __future__ import annotations

import re
import unicodedata


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_MAX_CHARS = 2000  # a reply longer than this is scanned on its first 2,000 characters

_MSG = r"(messages?|msgs?|texts?|sms|whatsapps?|promotions?|promos?|offers?|spam|ads)"
_NEG_BEFORE = re.compile(r"\b(dont|don t|do not|never|nao)\s+$")

# (language, rule name, pattern, negatable: a "don't"/"não" right before cancels the match)
RULES: list[tuple[str, str, str, bool]] = [
    # English
    (
        "en",
        "stop_sending",
        r"\b(stop|quit|cease)\s+(sending|texting|messaging|msging|msg|"
        r"contacting|spamming|writing|bothering|whatsapping|calling)\b",
        True,
    ),
    (
        "en",
        "remove_me",
        r"\b(remove|delete|erase)\s+(me|my\s+(number|contact|details|name|data)"
        r"|this\s+number)\b",
        True,
    ),
    (
        "en",
        "stop_the_messages",
        r"\bstop\s+(the|these|those|your|ur|all|this|all\s+the)\s+" + _MSG + r"\b",
        True,
    ),
    ("en", "take_me_off", r"\btake\s+(me|my\s+number)\s+(off|out\s+of|from)\b", True),
    ("en", "unsubscribe", r"\bunsub(scribe)?\b", True),
    ("en", "opt_out", r"\bopt\s*(me\s+)?(out|from)\b", True),
    (
        "en",
        "dont_contact",
        r"\b(dont|don t|do not|never)\s+(text|message|msg|contact|whatsapp|"
        r"write\s+to|spam|send\s+(me\s+)?(any\s+more\s+)?" + _MSG + r")\s+(me|us|this\s+number)?\s*"
        r"(again|anymore|any\s+more|ever|$)",
        False,
    ),
    ("en", "no_more", r"\bno\s+more\s+" + _MSG + r"\b", False),
    (
        "en",
        "dont_want",
        r"\b(dont|don t|do not)\s+want\s+(to\s+(receive|get)\s+)?(these|your|any|"
        r"this|such|more|any\s+more)?\s*" + _MSG + r"\b",
        False,
    ),
    # Spanish
    (
        "es",
        "no_envien",
        r"\bno\s+(me\s+)?(envien|envies|manden|mandes|escriban|escribas|contacten|"
        r"contactes|molesten)\s+(mas|" + r"mensajes|promociones|publicidad|nada)\b",
        False,
    ),
    (
        "es",
        "dejen_de",
        r"\b(dejen|deja|dejar|paren)\s+de\s+(enviarme|mandarme|escribirme|"
        r"contactarme|molestarme|enviar|mandar|escribir)\b",
        False,
    ),
    ("es", "de_baja", r"\b(dar|darme|dame|denme|deme|me\s+den|me\s+des|doy)\s+de\s+baja\b", False),
    (
        "es",
        "borrenme",
        r"\b(borren|borrenme|borrame|borra|eliminen|elimina|eliminame|eliminenme|"
        r"quiten|quitenme|quitame|saquen|saquenme|sacame)\b.{0,30}\b(lista|numero|base\s+de\s+datos|"
        r"contacto)\b",
        False,
    ),
    (
        "es",
        "no_quiero",
        r"\b(no|ya\s+no)\s+quiero\s+(recibir\s+)?(mas\s+)?(mensajes|promociones|"
        r"publicidad)\b",
        False,
    ),
    # Portuguese
    (
        "pt",
        "pare_de",
        r"\b(pare|parem|para|parar)\s+de\s+(me\s+)?(mandar|enviar|mandando|enviando|"
        r"encher)\b",
        True,
    ),
    (
        "pt",
        "nao_mande",
        r"\bnao\s+(me\s+)?(mande|mandem|envie|enviem|manda|mandar|enviar)\s+mais\b",
        False,
    ),
    ("pt", "nao_quero", r"\bnao\s+(quero|desejo)\s+(mais\s+)?receber\b", False),
    (
        "pt",
        "me_tira",
        r"\b(tira|tire|tirem|tirar|remova|remove|removam|remover|exclua|excluam|"
        r"excluir|apague|apaguem|retire)\b.{0,25}\b(lista|numero|contato|cadastro)\b",
        False,
    ),
    ("pt", "descadastrar", r"\bdescadastr\w*", False),
    ("pt", "sair_da_lista", r"\bsair\s+da\s+lista\b", False),
    # French
    (
        "fr",
        "arretez",
        r"\bd?arret(ez|e|er)\s+(de\s+)?(m\s*|me\s+|nous\s+)?(envoyer|ecrire|"
        r"contacter|harceler|spammer|appeler|solliciter)",
        False,
    ),
    ("fr", "desabonner", r"\b(desabonn|desinscri|desinscrip)\w*", False),
    (
        "fr",
        "retirez_moi",
        r"\b(retirez|supprimez|enlevez|effacez|otez|retire|supprime|enleve)\s+"
        r"(moi|mon\s+numero|mon\s+contact)\b",
        False,
    ),
    (
        "fr",
        "ne_plus",
        r"\bne\s+(m\s*|me\s+|nous\s+)?(envoyez|ecrivez|contactez|appelez|envoie|"
        r"ecris|contacte)\s+(plus|jamais)\b",
        False,
    ),
    (
        "fr",
        "ne_plus_infinitive",
        r"\bne\s+plus\s+(m\s*|me\s+|nous\s+)?(envoyer|ecrire|contacter|appeler|solliciter)\b",
        False,
    ),
    (
        "fr",
        "ne_veux_plus",
        r"\bje\s+ne\s+(veux|souhaite|desire)\s+plus\s+(recevoir|etre\s+contacte|"
        r"de\s+messages|etre\s+sollicite)",
        False,
    ),
    (
        "fr",
        "plus_de_messages",
        r"\bplus\s+de\s+(messages|sms|pub|publicite|promotions)\s+(svp|"
        r"merci|s\s+il)",
        False,
    ),
    # German
    (
        "de",
        "keine_mehr",
        r"\bkeine\s+(nachrichten|werbung|angebote|sms|messages|whatsapps?|mails|"
        r"newsletter|nachricht)\b.{0,30}\bmehr\b",
        False,
    ),
    ("de", "abmelden", r"\b(abmelden|austragen|abbestellen)\b", False),
    (
        "de",
        "entfernen_sie",
        r"\b(nehmen|streichen|loschen|entfernen|nimm|losche|entferne)\b.{0,15}"
        r"\b(mich|meine\s+nummer|meine\s+daten|meinen\s+kontakt)\b",
        False,
    ),
    (
        "de",
        "horen_auf",
        r"\b(horen|hort|hor)\s+(sie\s+)?auf\b.{0,30}\b(schreiben|schicken|senden|"
        r"kontaktieren|anrufen|nachrichten)\b",
        False,
    ),
    (
        "de",
        "nicht_mehr",
        r"\b(schreiben|schicken|senden|kontaktieren)\s+sie\s+mir\s+(nicht\s+mehr|"
        r"keine)\b|\bnicht\s+mehr\s+(anschreiben|schreiben|kontaktieren|anrufen)\b",
        False,
    ),
    # Hindi (Latin script)
    ("hi", "mat_bhejo", r"\b(mat|mt|na)\s+(bhejo|bhejna|bhejiye|bhej)\b", False),
    (
        "hi",
        "message_mat_karo",
        r"\b(message|messages|msg|msgs|sms|promotions?|whatsapp)\b.{0,15}"
        r"\b(mat|mt|na)\s+(karo|kro|karna|kijiye)\b",
        False,
    ),
    (
        "hi",
        "band_karo",
        r"\b(messages?|msgs?|promotions?|sms|ye\s+sab)\b.{0,15}\b(band|bnd)\s+"
        r"(karo|kro|kar\s+do|kardo|kijiye)\b",
        False,
    ),
    (
        "hi",
        "list_se_hatao",
        r"\b(list|group)\s+se\b.{0,20}\b(hata|hatao|hatado|nikalo|nikal\s+do|"
        r"remove)\b",
        False,
    ),
    ("hi", "number_delete", r"\bnumber\b.{0,15}\b(delete|hatao|hata\s+do)\b", False),
    # Indonesian
    (
        "id",
        "berhenti_kirim",
        r"\b(berhenti|stop)\s+(kirim|kirimi|mengirim|ngirim|chat|wa|sms|spam|"
        r"hubungi|menghubungi)\b",
        False,
    ),
    (
        "id",
        "jangan_kirim",
        r"\bjangan\s+(kirim|kirimi|ngirim|mengirim)\b.{0,20}\b(pesan|promo|chat|"
        r"wa|lagi|sms|iklan|broadcast)\b",
        False,
    ),
    (
        "id",
        "jangan_hubungi",
        r"\bjangan\s+(chat|nge\s*chat|spam|hubungi|menghubungi|telpon|"
        r"telepon|wa)\b",
        False,
    ),
    (
        "id",
        "hapus_nomor",
        r"\b(hapus|keluarkan|keluarin|apus)\s+(nomor|nomer|no|saya|aku|kontak)\b",
        False,
    ),
    (
        "id",
        "tidak_mau",
        r"\b(tidak|gak|nggak|ga|tdk)\s+(mau|ingin)\s+(lagi\s+)?(terima|menerima|"
        r"dapat|dapet|dikirimi)\b.{0,25}\b(pesan|promo|promosi|chat|wa|sms)\b",
        False,
    ),
]
_COMPILED = [(lang, name, re.compile(p), neg) for lang, name, p, neg in RULES]
_SEGMENT_MAX = 40  # longer sentences are never a bare keyword

# A sentence of the reply that is only one of these (politeness words aside) is an opt-out:
# "Not interested. STOP", "stop stop stop", "Baja", "berhenti ya kak".
SEGMENT_WORDS = {
    "stop": "en", "stop all": "en", "unsubscribe": "en", "unsub": "en", "opt out": "en",
    "optout": "en", "baja": "es", "sair": "pt", "descadastrar": "pt", "berhenti": "id",
    "abmelden": "de", "austragen": "de", "desinscription": "fr", "desabonner": "fr",
    "arretez": "fr", "arrete": "fr",
}  # fmt: skip
_POLITE = _words(
    "please pls plz kindly now thanks thx thank you svp bitte por favor ya kak ji bhai yaar "
    "sir merci danke obrigado gracias ok pf"
)
_SEGMENTS = re.compile(r"[.!?;,\n]+")


_PUNCT = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower case, accents stripped, punctuation and apostrophes as spaces."""
    text = text[:_MAX_CHARS].lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", _PUNCT.sub(" ", text)).strip()


def _segment_match(text: str) -> str | None:
    for part in _SEGMENTS.split(text[:_MAX_CHARS]):
        if len(part) > _SEGMENT_MAX:
            continue
        words = [w for w in normalize(part).split() if w not in _POLITE]
        if not words:
            continue
        if set(words) == {"stop"}:
            return "en:stop"
        lang = SEGMENT_WORDS.get(" ".join(words))
        if lang:
            return f"{lang}:{''.join(words)}"
    return None


def _negated(norm: str, start: int) -> bool:
    return _NEG_BEFORE.search(norm[max(0, start - 20) : start]) is not None


def match_phrase(text: str | None) -> str | None:
    """`"phrase:<lang>:<rule>"` for an explicit opt-out sentence, else None."""
    if not text:
        return None
    found = _segment_match(text)
    if found:
        return f"phrase:{found}"
    norm = normalize(text)
    for lang, name, pattern, negatable in _COMPILED:
        for m in pattern.finditer(norm):
            if not (negatable and _negated(norm, m.start())):
                return f"phrase:{lang}:{name}"
    return None
