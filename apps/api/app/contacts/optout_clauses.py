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
from bisect import bisect_right
from dataclasses import dataclass

from app.contacts import optout_clause_words as W
from app.contacts import optout_phrases
from app.contacts.optout_phrases import _MAX_CHARS, laughs, without_unwanted
from app.contacts.optout_phrases_prefilter import RuleIndex, rule_keys, text_keys

_SENTENCES = re.compile(r"[.!?;\n¿¡]+")
_ROLES = [(name, re.compile(rf"\b({'|'.join(words)})\b")) for name, words in W.ROLES.items()]
# Only the roles whose words can start at a word of the sentence are searched
_INDEX = RuleIndex([rule_keys(p.pattern) for _, p in _ROLES], [False] * len(_ROLES))


# Compound names of the messages, read as one word before the roles: "lembrete do carrinho"
# is a message, not the cart ("remove the item from my cart" is an order)
_COMPOUNDS = [
    (
        re.compile(
            r"\b((cart|carrito|carrinho|panier|warenkorb|keranjang)\w*\s?(wale\s|s\s)?"
            r"(reminders?|recordatorios?|lembretes?|relances?|erinnerungen|pengingat\w*)|"
            r"(reminders?|recordatorios?|avisos|lembretes?|relances?|pengingat\w*)\s(del?|do|du|"
            r"of\sthe)?\s?(carrito|carrinho|panier|keranjang\w*|cart)\w*)\b"
        ),
        "reminders",
    ),
    (re.compile(r"\bpedidos\sde\s(donacion|ayuda|dinero)\b"), "appeals"),
]


def normalize(text: str) -> str:
    """optout_phrases.normalize with commas kept as their own word (a "not" never reaches
    across one: "no, dejen de mandar"), compound names of the messages as one word."""
    text = optout_phrases.normalize(text, commas=True)
    for pattern, word in _COMPOUNDS:
        text = pattern.sub(word, text)
    return text


Span = tuple[int, int]  # first and last word of a role's match


@dataclass(frozen=True)
class _Sentence:
    """Where each role's words are, as word positions."""

    words: list[str]
    at: dict[str, list[Span]]
    question: bool

    def has(self, role: str) -> bool:
        return bool(self.at.get(role))

    def near(
        self, a: str, b: str, window: int, *, order: str = "after", commas: bool = False
    ) -> bool:
        """A word of role `b` within `window` words after (order "before": before; "any":
        either side) a live word of role `a`, with no barrier between them."""
        for sa in self.live(a):
            for sb in self.at.get(b, ()):
                after = order != "before" and 0 < sb[0] - sa[1] <= window
                if after and not self._barrier(sa, sb[0], commas):
                    return True
                before = order != "after" and 0 < sa[0] - sb[1] <= window
                if before and not self._barrier(sb, sa[0], commas):
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

    def _barrier(self, left: Span, j: int, commas: bool = False) -> bool:
        """ "but" always separates; a comma only after what opens the sentence ("Stop, these
        offers are too good", "Enough with the jokes, send me..."), not inside a sentence
        ("aufhören, mir Angebote zu schicken")."""
        between = self.words[left[1] + 1 : j]
        leading = left[0] == 0 or commas
        return any(w in W.BARRIERS for w in between) or (leading and "," in between)


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
    if s.has("order") or s.has("app_noise") or s.has("specific"):
        return False  # "stop the alerts for order 55", "stop sending me the paper bill"
    if s.has("want_stop") or (s.has("how_many_times") and (s.has("stop") or s.has("stop_final"))):
        return True  # "quiero que paren", "how many times do I have to ask you to stop?"
    if any(s.near(a, "use", 3, order="any") for a in ("stop", "stop_final")) and s.has("my_number"):
        return True  # "stop using my number", "is number ka use band kar dijiye"
    bare = [w for w in s.words if w not in W.POLITE_ENDS]
    if s.has("can_you") and s.live("stop") and len(bare) <= 4 and bare[-1:] == ["stop"]:
        return True  # "Can you stop?"
    if not laughs and any(s.near("stop", b, 4) for b in ("send", "msg", "sending")):
        return True
    if s.near("stop", "receive", 2) or s.near("stop", "receive_weak", 1):
        return True  # "is there a way to stop receiving these?"
    if s.has("stop_de_sep") and s.has("msg"):
        return True  # "Bitte stellen Sie die Nachrichten an diese Nummer ein"
    hindi = s.has("hi")  # "Purana wala chhod do, naya offer bhejo": the comma ends it
    if s.near("stop_final", "send", 8, order="before") or s.near(
        "stop_final", "send", 4, commas=hindi
    ):
        return True  # "message bhejna band karo", "pengiriman pesan ... dihentikan"
    if s.near("stop_final", "msg", 4, commas=hindi) or s.near(
        "stop_final", "msg", 6, order="before"
    ):
        return True
    if s.has("how") and s.near("end_last", "msg", 4, order="before"):
        return True  # "is there a way to make these messages end?"
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
        or (s.near("cancel", "subscription", 4) and s.near("subscription", "msg", 4))
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
        # "another message like this and I report you", "sekali lagi kirim, saya blokir"
        ends = [m[1] for m in s.at.get("one_more", ())]
        return any(0 < r[0] - e <= 14 for e in ends for r in s.at.get("report", ()))
    conditions = [c[1] for c in s.at.get("if_again", ())]  # "wenn das so weitergeht, ..."
    return any(0 < r[0] - c <= 12 for c in conditions for r in s.at.get("report", ())) or s.near(
        "if_again", "report", 12, order="before"
    )


def _no_more(s: _Sentence, laughs: bool) -> bool:
    """ "no more messages", "keine Werbung mehr", "cukup ya kirim pesannya", "no need to keep
    sending me offers", "nichts mehr bekommen", "lasst mich in Ruhe mit eurer Werbung"."""
    if s.has("leave_alone") and (len(s.words) <= 6 or s.has("msg") or s.has("your_stuff")):
        return True
    if any(s.has(r) for r in ("resend", "account", "order", "app_noise")) or s.question:
        return False  # "ga usah kirim ulang lagi", "gak usah kirim invoice lagi", questions
    if any(s.near("nothing_more", b, 5, order="any") for b in ("receive", "receive_weak", "send")):
        return True
    if s.near("enough_send", "send", 4) and (s.has("more") or s.near("send", "msg", 4)):
        return True
    if s.has("why"):
        return False  # "Warum bekomme ich keine Angebote mehr?"
    if s.near("nothing_more", "my_number", 4, order="any"):
        return True  # "svp plus rien sur ce num"
    kein = s.near("kein", "msg", 3) and (s.has("mehr") or s.has("them") or s.has("my_number"))
    kein = kein and not s.has("i_receive")  # "Ich bekomme keinen Newsletter mehr"
    return s.near("no_more", "msg", 3) or kein


def _not_want(s: _Sentence) -> bool:
    """not + want (close, either order) + receiving, the messages or being contacted: "no
    deseo recibir más información", "jveux plus recevoir vos msg", "mujhe msg nahi chahiye";
    after a leading "STOP" nothing more is needed ("STOP não quero mais")."""
    if s.has("order") or s.has("account"):
        return False  # "ga mau dapet pesanan yang salah lagi", "ne plus recevoir le colis"
    for want in s.at.get("want", ()):
        # "jveux plus recevoir" (not "je veux plus de promos")
        nxt = s.words[want[1] + 1 : want[1] + 3]
        french = s.words[want[0]] in ("veux", "jveux", "jveu", "voulons")
        dropped_ne = (
            french and nxt[:1] in (["plus"], ["pu"]) and nxt[1:] not in (["de"], ["d"], ["des"])
        )
        if not dropped_ne and not any(_joined(s, n, want) for n in s.at.get("not", ())):
            continue
        if s.words[0] in W.LEADING_STOPS:
            return True
        i = want[1]

        def after(*roles: str, i: int = i) -> bool:
            """A word of the roles in the 8 words after the "want", in its clause."""
            return any(
                i < h[0] <= i + 8 and "," not in s.words[i : h[0]]
                for role in roles
                for h in s.at.get(role, ())
            )

        if after("stop", "keep", "remove", "remove_list", "cancel", "cancel_final", "exit"):
            continue  # "I don't want to stop getting them", "ich will mich nicht abmelden"
        if after("receive", "send", "msg") or (after("receive_weak") and after("more", "msg")):
            return True
        if after("anything") and (s.has("from_you") or s.has("more")):
            return True  # "não quero mais nada de vcs"
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
    if s.has("already_asked"):
        return True  # "¿por qué siguen escribiéndome si ya pedí la baja?"
    if s.has("account") or s.has("order") or s.has("why"):
        return False  # "remove my old number from my account", "kok nomor saya dihapus?"
    if s.near("remove", "my_number", 5, order="any") or s.near("forget", "my_number", 3):
        return True  # "nehmt meine Nummer raus", "oubliez mon numéro"
    if _removes_me_and_ends(s):
        return True  # "bórrenme ya", "retirez-moi", "entfernen Sie mich sofort"
    if s.has("norm_not") and s.has("my_number") and (s.has("msg") or s.has("list")):
        return True  # "this number is not to be used for promotional messages"
    content = [w for w in s.words if w not in W.POLITE_ENDS and w not in W.NOW]
    if s.live("remove") and len(content) == 1:
        return True  # "Remove pls", "Keluarin aja", "Löschen, bitte"
    if s.near("my_number", "removed_pp", 2):
        return True  # "I want my number deleted from your database"
    if s.has("how") and s.live("exit") and (s.has("list") or _ends_with(s, ("this", "exit"))):
        return True  # "how do i get off this mailing list??", "como me salgo de esto???"
    out_of_list = s.live("out_of_list")
    if out_of_list and any(s.has(r) for r in ("me", "remove", "exit", "remove_list", "my_number")):
        return True  # "Nehmen Sie mich bitte aus dem Verteiler", "ich will raus aus der Liste"
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
    if s.near("remove", "your_list", 4):
        return True  # "removam da lista", "retirez mon contact de votre fichier"
    said_of = not s.has("source") or any(s.has(r) for r in ("list", "msg", "your_list"))
    asked = s.has("me") or s.has("my_number") or s.near("want", "remove_list", 2) or s.has("how")
    if s.live("remove_list") and said_of and (asked or len(s.words) <= 4):
        return True  # "unsubscribe me", "quero descadastrar", "bitte austragen, danke"
    if s.live("remove_me_list") and (
        any(s.near("remove_me_list", b, 6) for b in ("list", "msg", "your_list"))
        or len(s.words) <= 5
    ):
        return True  # "take me off your list", "quiero darme de baja de los mensajes"
    if _exits_a_list(s):
        return True  # "quero sair da lista", "saya keluar dari list"
    if s.near("dont", "add", 2) and (s.has("me") or s.has("my_number")) and s.has("list"):
        return True  # "jangan masukin nomor saya ke broadcast lagi"
    me = s.near("remove", "me", 2, order="any")
    if me and (
        s.near("remove", "msg", 8, order="any") or s.near("remove", "list", 10, order="any")
    ):
        return True  # "remove me from these messages", "hapus saya dari daftar kalian"
    if not s.has("hi") or (s.question and not s.has("how")):
        return False
    # Hindi leaves "me" out: "list se hata dijiye", "messages se pareshan hoon, remove kar do"
    objects = ("list", "me", "my_number") + (() if "delete" in s.words else ("msg",))
    return any(s.near("remove", b, 8, order="any") for b in objects)


def _ends_with(s: _Sentence, roles: tuple[str, ...]) -> bool:
    """The sentence's last word (politeness aside) has one of the roles ("¿cómo me salgo de
    esto?", "wie komm ich hier raus?"): not "get out of this parking lot"."""
    last = max((i for i, w in enumerate(s.words) if w not in W.POLITE_ENDS), default=-1)
    return any(h[1] == last for role in roles for h in s.at.get(role, ()))


def _removes_me_and_ends(s: _Sentence) -> bool:
    """ "remove me" as the request itself: "remove me", "me removam", "bórrenme ya" — not
    "quítame la cebolla" (what follows is what to remove)."""
    spans = list(s.live("remove_me"))
    spans += [
        (min(r[0], m[0]), max(r[1], m[1]))
        for r in s.live("remove")
        for m in s.at.get("me", ())
        if abs(m[0] - r[1]) == 1 or abs(r[0] - m[1]) == 1
    ]
    named = [h[0] for role in ("list", "msg", "your_list", "more") for h in s.at.get(role, ())]
    for _, end in spans:
        after = [w for w in s.words[end + 1 :] if w not in W.POLITE_ENDS and w not in W.NOW]
        if not after or after[0] == "," or any(i > end for i in named):
            return True  # nothing after it but politeness, or then the list or the messages
    return False


def _exits_a_list(s: _Sentence) -> bool:
    """Leaving "from" a list: "sair da lista", "salir de la lista", "keluar dari list" — not
    "salir con el grupo"."""
    for e in s.live("exit"):
        for lst in s.at.get("list", []) + s.at.get("your_list", []):
            lo, hi = (e[1], lst[0]) if e[0] < lst[0] else (lst[1], e[0])
            if 0 < hi - lo <= 4 and any(w in W.FROM for w in s.words[lo + 1 : hi + 1]):
                return True
    return False


def _dont_contact(s: _Sentence, laughs: bool) -> bool:
    """not (again) + contact me, or + send the messages: "no vuelvan a contactarme", "ne
    m'envoyez plus rien", "kripya mujhe sampark na karein", "ojo ngirim pesen meneh",
    "Schreiben Sie mir nicht mehr", "msg mat bhejo"."""
    if s.has("stop") and not s.live("stop"):
        return False  # "don't stop sending the deals", "jangan berhenti kirim info"
    if any(s.has(r) for r in ("for_now", "resend", "why", "specific")):
        return False  # "jangan ganggu dulu", "don't send the invoice again", "... the code"
    if s.question and not s.has("can_you"):
        return False  # "Don't you send newsletters anymore?", "¿Ya no mandan ofertas?"
    if _asks_to_send(s):
        return False  # "Don't send it in English, send it in Spanish", "don't text, call me"
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
    if s.near("fr_imperative", "more", 1) and not s.has("not"):
        return True  # "me contactez plus" (the "ne" dropped)
    if s.negated_before("send", 3) and _more_after(s, "send", 2):
        return True  # "ne m'envoyez plus", "no me manden más", "não me mande mais"
    said = s.negated_before("send", 4) or (s.near("send", "not_after", 4) and not s.has("hi"))
    what = s.near("send", "msg", 4, order="any") or s.has("anything") or s.has("my_number")
    return said and what and (s.has("more") or s.has("my_number") or s.has("anything"))


def _asks_to_send(s: _Sentence) -> bool:
    """A sending word no "not" reaches, after one that is negated: a change of how, not a
    request to stop."""
    nots = [n[1] for n in s.at.get("not", [])] + [n[1] for n in s.at.get("dont", [])]
    sends = [h for h in s.at.get("send", []) if s.words[h[0]] not in W.CHANNELS]
    free = [h for h in sends if not any(0 < h[0] - n <= 3 for n in nots)]
    return bool(free) and len(free) < len(sends) and free[-1][0] > min(n for n in nots or [99])


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
    if s.has("how") and s.near("not", "send", 2) and (s.has("more") or s.has("msg")):
        return True  # "gimana caranya biar ga dikirimin promo lagi?"
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
    return match_clause_in(without_unwanted(text)) if text else None


def match_clause_in(text: str) -> str | None:
    """match_clause on a reply already cut by `optout_phrases.without_unwanted`."""
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
