"""Opt-out sentences recognised by their *parts*, not their exact wording.

The phrase rules (optout_phrases*) each spell out one way of saying it; people keep finding
others ("no quiero que me lleguen más mensajes", "Könnten Sie bitte aufhören, mir Angebote zu
schicken?", "pengiriman pesan promosi ke nomor ini segera dihentikan"). Here each word of a
sentence is first given its role — a verb of stopping, of sending, of removing; the messages;
"me"/"my number"; a list; "not"; "want"; "any more" — from per-role word lists in seven
languages (optout_clause_words), and a sentence opts out when its roles form one of a few
requests, in any of those languages:

- stop + sending/the messages           "dejéis de enviarme", "band kar do bhejna", "hört auf"
- not + want + receiving/the messages   "ich möchte keine weiteren Nachrichten erhalten"
- remove + me/my number (+ a list)      "nehmt meine Nummer raus"
- don't + contact me/any more           "no vuelvan a contactarme", "ojo ngirim pesen meneh"
- cancel + the sending/the messages     "cancela o envio de msg", "cancelar la suscripción a sus
                                        mensajes"
- not + consent                         "não autorizo o envio de mensagens"
- one more message + report/block       "noch eine Nachricht und ich melde euch als Spam"

Still readable rules, still a legal decision made without the model: the roles only replace
the phrase lists' enumerations. A "not" right before a stop/remove/cancel word cancels it ("no
dejen de mandar", "don't remove me"), and a reply that wants the messages ("did you stop
sending them? I want them") or complains they stopped coming is not read here at all.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from app.contacts import optout_clause_words as W
from app.contacts.optout_phrases import laughs, unwanted_reading
from app.contacts.optout_phrases_prefilter import RuleIndex, rule_keys, text_keys

_MAX_CHARS = 2000
_SENTENCES = re.compile(r"[.!?;\n¿¡]+")
_PUNCT = re.compile(r"[^\w\s,]|_")
_SPACES = re.compile(r"\s+")
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")  # "chegaaaa" -> "chega"
_ROLES = [(name, re.compile(rf"\b({'|'.join(words)})\b")) for name, words in W.ROLES.items()]
# Only the roles whose words can start at a word of the sentence are searched
_INDEX = RuleIndex([rule_keys(p.pattern) for _, p in _ROLES], [False] * len(_ROLES))


def normalize(text: str) -> str:
    """Lower case, accents stripped, punctuation as spaces; commas kept as their own word
    (a "not" never reaches across one: "no, dejen de mandar")."""
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _PUNCT.sub(" ", text).replace(",", " , ")
    return _ELONGATED.sub(r"\1", _SPACES.sub(" ", text).strip())


Span = tuple[int, int]  # first and last word of a role's match


@dataclass(frozen=True)
class _Sentence:
    """Where each role's words are, as word positions."""

    words: list[str]
    at: dict[str, list[Span]]
    question: bool

    def has(self, role: str) -> bool:
        return bool(self.at.get(role))

    def near(self, a: str, b: str, window: int, *, order: str = "after") -> bool:
        """A word of role `b` within `window` words after (order "before": before; "any":
        either side) a live word of role `a`, with no barrier between them."""
        for sa in self.live(a):
            for sb in self.at.get(b, ()):
                after = order != "before" and 0 < sb[0] - sa[1] <= window
                if after and not self._barrier(sa[1], sb[0]):
                    return True
                before = order != "after" and 0 < sa[0] - sb[1] <= window
                if before and not self._barrier(sb[1], sa[0]):
                    return True
        return False

    def live(self, role: str) -> list[Span]:
        """The role's words that no "not" just before cancels."""
        hits = self.at.get(role, [])
        return [h for h in hits if not self._negated(h[0])] if role in W.NEGATABLE else hits

    def negated_before(self, role: str, window: int) -> bool:
        """A "not" within `window` words before a word of `role`, in the same clause and not
        "don't forget to"/"don't hesitate to" (Hindi: a "not" after it as well)."""
        for n in self.at.get("not", ()):
            for h in self.at.get(role, ()):
                if 0 < h[0] - n[1] <= window and self._scoped(n[1], h[0]):
                    return True
        return self.has("hi") and self.near("not_after", role, window, order="before")

    def _scoped(self, i: int, j: int) -> bool:
        between = self.words[i + 1 : j]
        return "," not in between and not any(w in W.NOT_SCOPE_ENDS for w in between)

    def _negated(self, i: int) -> bool:
        nots = {n[1] for n in self.at.get("not", ())}
        for j in range(i - 1, max(-1, i - 4), -1):
            if self.words[j] == ",":
                return False
            if j in nots:
                return True
        return False

    def _barrier(self, i: int, j: int) -> bool:
        """ "but" always separates; a comma only after a leading word ("Stop, these offers are
        too good"), not inside a sentence ("aufhören, mir Angebote zu schicken")."""
        between = self.words[i + 1 : j]
        return any(w in W.BARRIERS for w in between) or (i == 0 and "," in between)


def _sentence(text: str, question: bool) -> _Sentence:
    starts, pos = [], 0
    words = text.split(" ")
    for w in words:
        starts.append(pos)
        pos += len(w) + 1
    at: dict[str, list[Span]] = {}
    for i in _INDEX.candidates(text_keys(text), text, text):
        role, pattern = _ROLES[i]
        hits = [
            (bisect_right(starts, m.start()) - 1, bisect_right(starts, m.end() - 1) - 1)
            for m in pattern.finditer(text)
        ]
        if hits:
            at[role] = hits
    return _Sentence(words, at, question)


def _requests(s: _Sentence, laughs: bool) -> str | None:
    """The name of the request the sentence's roles form, or None."""
    if s.has("redirect"):
        return None  # "stop sending them to my old number, use this one"
    for name, rule in _RULES:
        if rule(s, laughs):
            return name
    return None


def _stop_sending(s: _Sentence, laughs: bool) -> bool:
    """stop + sending or the messages, in either order where the language puts it last."""
    if s.has("order") or s.has("app_noise"):
        return False  # "stop the alerts for order 55", "suspendam o envio da encomenda"
    if not laughs and any(s.near("stop", b, 4) for b in ("send", "msg", "sending")):
        return True
    if s.near("stop", "receive", 2) or s.near("stop", "receive_weak", 1):
        return True  # "is there a way to stop receiving these?"
    if s.has("stop_de_sep") and s.has("msg"):
        return True  # "Bitte stellen Sie die Nachrichten an diese Nummer ein"
    if s.near("stop_final", "send", 8, order="before") or s.near("stop_final", "send", 4):
        return True  # "message bhejna band karo", "pengiriman pesan ... dihentikan"
    if s.near("stop_final", "msg", 4) or s.near("stop_final", "msg", 6, order="before"):
        return True
    return (not s.question or s.has("how")) and any(
        s.near("stop_last", b, 4, order="before") for b in ("msg", "send")
    )  # "spam terus, stop!", "how do I make these messages stop??"


def _cancel_sending(s: _Sentence, laughs: bool) -> bool:
    """cancel/block + the sending or the messages: "cancela o envio de msg"."""
    if s.near("cancel_final", "msg_strict", 6, order="before"):
        return True  # "Newsletter vom Kurs bitte abbestellen"
    if s.has("account") or s.has("order"):
        return False
    if any(s.near("cancel_final", b, 6, order="before") for b in ("msg", "sending")):
        return True
    return (
        s.near("cancel", "sending", 4)
        or s.near("cancel", "msg_strict", 4)
        or (s.near("cancel", "subscription", 3) and s.near("subscription", "msg", 4))
    )


def _no_consent(s: _Sentence, laughs: bool) -> bool:
    """ "não autorizo", "I withdraw my consent", "Ich widerspreche der Zusendung"."""
    if s.has("payment"):
        return False  # "retiro mi autorización de débito"
    return (
        s.near("not", "consent", 2, order="any")
        or s.near("withdraw", "consent", 4, order="any")
        or any(s.near("object_to", b, 6) for b in ("sending", "msg"))
    )


def _threat(s: _Sentence, laughs: bool) -> bool:
    """ "one more message and I report you", "si me vuelven a escribir los denuncio"."""
    said = any(s.near("one_more", b, 3, order="any") for b in ("msg", "send")) or any(
        a <= m[0] <= b for a, b in s.at.get("one_more", ()) for m in s.at.get("msg", ())
    )
    if not s.question and (said or any(b - a >= 2 for a, b in s.at.get("one_more", ()))):
        return s.near("one_more", "report", 14)  # "another message like this and I report you"
    return s.near("if_again", "report", 12, order="any")


def _no_more(s: _Sentence, laughs: bool) -> bool:
    """ "no more messages", "keine Werbung mehr", "cukup ya kirim pesannya", "no need to keep
    sending me offers", "nichts mehr bekommen", "lasst mich in Ruhe mit eurer Werbung"."""
    if s.has("leave_alone") and (len(s.words) <= 6 or s.has("msg") or s.has("your_stuff")):
        return True
    if any(s.near("nothing_more", b, 5, order="any") for b in ("receive", "receive_weak", "send")):
        return True
    if s.has("resend") or s.has("account") or s.has("order") or s.has("app_noise"):
        return False  # "ga usah kirim ulang lagi", "gak usah kirim invoice lagi"
    if s.near("enough_send", "send", 4) and (s.has("more") or s.near("send", "msg", 4)):
        return True
    if s.has("why"):
        return False  # "Warum bekomme ich keine Angebote mehr?"
    if s.near("nothing_more", "my_number", 4, order="any"):
        return True  # "svp plus rien sur ce num"
    kein = s.near("kein", "msg", 3) and (s.has("mehr") or s.has("them") or s.has("my_number"))
    return not s.question and (s.near("no_more", "msg", 3) or kein)


def _not_want(s: _Sentence) -> bool:
    """not + want (close, either order) + receiving, the messages or being contacted: "no
    deseo recibir más información", "jveux plus recevoir vos msg", "mujhe msg nahi chahiye";
    after a leading "STOP" nothing more is needed ("STOP não quero mais")."""
    if s.has("order") or s.has("account"):
        return False  # "ga mau dapet pesanan yang salah lagi", "ne plus recevoir le colis"
    for want in s.at.get("want", ()):
        # "jveux plus recevoir" (not "je veux plus de promos")
        nxt = s.words[want[1] + 1 : want[1] + 3]
        dropped_ne = nxt[:1] == ["plus"] and nxt[1:] not in (["de"], ["d"], ["des"])
        if not dropped_ne and not any(_joined(s, n, want) for n in s.at.get("not", ())):
            continue
        if s.words[0] in W.LEADING_STOPS:
            return True
        i = want[1]

        def after(*roles: str, i: int = i) -> bool:
            return any(i < h[0] <= i + 8 for role in roles for h in s.at.get(role, ()))

        if after("stop", "keep"):
            continue  # "I don't want to stop getting them", "no quiero perderme ninguna"
        if after("receive", "send", "msg") or (after("receive_weak") and after("more", "msg")):
            return True
        before = (h for role in ("msg", "send") for h in s.at.get(role, ()))
        if s.has("hi") and any(want[0] - 6 <= h[1] < want[0] for h in before):
            return True  # Hindi puts the object first
    return False


def _joined(s: _Sentence, n: Span, want: Span) -> bool:
    """The "not" belongs to the "want": next to it or one word apart, no comma between
    ("don't want", "ne veux plus", "möchte keine"); a bare "no" only right before it ("no
    quiero", not "no, I want" or "no I want")."""
    if s.words[n[0]] == "no":
        return n[1] == want[0] - 1
    lo, hi = (n[1], want[0]) if n[0] < want[0] else (want[1], n[0])
    reach = 5 if n[0] > want[0] and want in s.at.get("want_de", ()) else 2
    return 0 < hi - lo <= reach and "," not in s.words[lo:hi]


def _remove_me(s: _Sentence, laughs: bool) -> bool:
    """remove + me/my number (+ a list or the messages), or leaving the list oneself."""
    if s.has("account") or s.has("order") or s.has("why"):
        return False  # "remove my old number from my account", "kok nomor saya dihapus?"
    if s.live("remove_me") or s.near("remove", "my_number", 5, order="any"):
        return True  # "bórrenme", "nehmt meine Nummer raus"
    if s.near("my_number", "removed_pp", 2):
        return True  # "I want my number deleted from your database"
    if s.has("how") and s.live("exit") and (s.has("list") or s.has("this")):
        return True  # "how do i get off this mailing list??", "como me salgo de esto???"
    if s.live("remove_list_me") or (
        s.live("remove_list") and s.near("remove_list", "msg", 3, order="any")
    ):
        return True  # "unsubscribeame de esa lista", "Désinscription de l'infolettre"
    if s.live("remove_me_list") and s.words[-1] in ("off", "out"):
        return True  # "please take her off"
    reach, order = (7, "any") if s.has("hi") else (3, "after")  # Hindi: the number first
    told = s.negated_before("use", 4) or s.near("use", "not_after", 6) or s.near("dont", "use", 3)
    # said to the business, not of someone else: "Kelly doesn't use this number anymore"
    if s.near("use", "my_number", reach, order=order) and told and not s.has("third_person"):
        return True  # "Não usem mais meu número", "Verwenden Sie meine Nummer nicht mehr"
    if s.near("block", "my_number", 5, order="any"):
        return True  # "block this number from your system", "ye number block kar do"
    if s.near("remove", "me", 1, order="any") or s.near("remove", "your_list", 4):
        return True  # "remove me", "me removam", "removam da lista"
    said_of = not s.has("source") or any(s.has(r) for r in ("list", "msg", "your_list"))
    if (
        s.live("remove_list")
        and said_of
        and (
            s.has("me")
            or s.has("my_number")
            or s.near("want", "remove_list", 2)
            or len(s.words) <= 4
        )
    ):
        return True  # "unsubscribe me", "quero descadastrar", "bitte austragen, danke"
    if s.live("remove_me_list") and (
        any(s.near("remove_me_list", b, 6) for b in ("list", "msg", "your_list"))
        or len(s.words) <= 5
    ):
        return True  # "take me off your list", "quiero darme de baja de los mensajes"
    if s.near("exit", "list", 4) or s.near("exit", "your_list", 4):
        return True  # "quero sair da lista", "ich will raus aus der Liste"
    if s.near("dont", "add", 2) and (s.has("me") or s.has("my_number")) and s.has("list"):
        return True  # "jangan masukin nomor saya ke broadcast lagi"
    me = s.near("remove", "me", 6, order="any")
    if (me and s.near("remove", "msg", 8, order="any")) or (
        me and s.near("remove", "list", 10, order="any")
    ):
        return True
    if not s.has("hi") or (s.question and not s.has("how")):
        return False
    # Hindi leaves "me" out: "list se hata dijiye", "messages se pareshan hoon, remove kar do"
    objects = ("list", "me", "my_number") + (() if "delete" in s.words else ("msg",))
    return any(s.near("remove", b, 8, order="any") for b in objects)


def _dont_contact(s: _Sentence, laughs: bool) -> bool:
    """not (again) + contact me, or + send the messages: "no vuelvan a contactarme", "ne
    m'envoyez plus rien", "kripya mujhe sampark na karein", "ojo ngirim pesen meneh",
    "Schreiben Sie mir nicht mehr", "msg mat bhejo"."""
    if s.has("stop") and not s.live("stop"):
        return False  # "don't stop sending the deals", "jangan berhenti kirim info"
    if any(s.has(r) for r in ("for_now", "resend", "why")):
        return False  # "jangan ganggu dulu", "don't send the invoice again"
    if (
        (s.has("me") or s.has("them"))
        and s.negated_before("send", 3)
        and (s.near("send", "msg", 3) and not s.question)
    ):
        return True  # "no me manden publicidad", "no le manden publicidad por favor"
    if s.has("account"):
        return False
    told = s.has("more") or s.has("my_number") or s.has("me")
    if s.negated_before("contact", 4) and told:
        return True
    if s.near("contact_de", "not_after", 4) and (s.has("more") or s.has("me")) and not s.question:
        return True  # German puts "nicht" after the verb
    if s.near("dont", "send", 2, order="any") and (
        s.has("contact") or s.near("send", "msg", 3, order="any")
    ):
        return True  # a prohibition: "mat bhejo", "jangan kirim"
    if s.negated_before("send", 3) and _more_after(s, "send", 2):
        return True  # "ne m'envoyez plus", "no me manden más", "não me mande mais"
    said = s.negated_before("send", 4) or (s.near("send", "not_after", 4) and not s.has("hi"))
    what = s.near("send", "msg", 4, order="any") or s.has("anything") or s.has("my_number")
    return said and what and (s.has("more") or s.has("my_number") or s.has("anything"))


def _more_after(s: _Sentence, role: str, window: int) -> bool:
    """ "again"/"any more" just after the role's word, ending the request: not "more than",
    "more photos" or "más tarde"."""
    ends = {h[0] for r in ("msg", "anything") for h in s.at.get(r, ())}
    for h in s.at.get(role, ()):
        for m in s.at.get("more", ()):
            after = m[1] + 1
            if 0 < m[0] - h[1] <= window and (
                after >= len(s.words) or after in ends or s.words[after] in W.POLITE_ENDS
            ):
                return True
    return False


def _not_receive(s: _Sentence, laughs: bool) -> bool:
    """ "ne plus recevoir", "para não receber mais", "nicht mehr erhalten", "wie kann ich
    verhindern, dass ich diese Nachrichten bekomme?"."""
    if s.has("order") or s.has("app_noise") or s.has("payment") or s.has("why"):
        return False  # "ne plus recevoir les notifications de livraison", "pourquoi ..."
    if s.near("not", "receive", 3) and s.has("more"):
        return True
    if s.has("how") and s.near("not", "receive_weak", 2) and (s.has("more") or s.has("msg")):
        return True  # "gimana caranya biar gak dapet pesan ginian lagi?"
    return any(s.near("prevent", b, 8) for b in ("msg", "receive", "receive_weak"))


_RULES = (
    ("stop_sending", _stop_sending),
    ("not_want_messages", lambda s, laughs: _not_want(s)),
    ("remove_me", _remove_me),
    ("dont_contact", _dont_contact),
    ("cancel_sending", _cancel_sending),
    ("no_consent", _no_consent),
    ("threat_to_report", _threat),
    ("no_more_messages", _no_more),
    ("not_receive", _not_receive),
)


def match_clause(text: str | None) -> str | None:
    """`"clause:<request>"` when a sentence of the reply is an opt-out request, else None."""
    if not text:
        return None
    if unwanted_reading(text[:_MAX_CHARS]):
        return None
    parts = _SENTENCES.split(text[:_MAX_CHARS])
    marks = [*_SENTENCES.findall(text[:_MAX_CHARS]), ""]
    number_named = False
    for part, mark in zip(parts, marks, strict=True):
        norm = normalize(part)
        if not norm:
            continue
        s = _sentence(norm, "?" in mark)
        found = _requests(s, laughs(part))
        if found:
            return f"clause:{found}"
        alone = not (s.has("account") or s.has("app_noise") or s.has("not"))
        if number_named and s.live("remove") and len(s.words) <= 6 and alone:
            return "clause:remove_my_number"  # "Who gave you my number? Remove it now"
        number_named = number_named or s.has("my_number")
    return None
