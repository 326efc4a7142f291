"""Explicit opt-out sentences (classifier path) vs whole-message keywords (webhook path)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.contacts.optout_keywords import match_opt_out

DATA = Path(__file__).resolve().parent / "data" / "replies"

OPT_OUTS = [
    ("en", "please remove me from your list"),
    ("en", "I do not want to be on your list"),
    ("en", "i dont want to be in ur broadcast anymore"),
    ("en", "Not interested. STOP"),
    ("en", "can you unsubscribe me from this"),
    ("en", "Do not text me again!"),
    ("en", "no more promotions please"),
    ("en", "stop sending me offers, thanks"),
    ("en", "stop these promos now"),
    ("es", "por favor no me envíen más mensajes"),
    ("es", "quiero darme de baja"),
    ("es", "eliminen mi número de la lista"),
    ("pt", "pare de me mandar mensagem"),
    ("pt", "Não quero mais receber mensagens"),
    ("pt", "me tira da lista de vocês"),
    ("fr", "Arrêtez de m'envoyer des messages"),
    ("fr", "désabonnez-moi"),
    ("fr", "merci de ne plus me contacter"),
    ("fr", "je ne veux plus recevoir vos offres"),
    ("de", "bitte keine Nachrichten mehr"),
    ("de", "Bitte entfernen Sie meine Nummer"),
    ("de", "abmelden bitte"),
    ("hi", "mujhe message mat karo"),
    ("hi", "ye promotions band karo"),
    ("hi", "meri number list se hata do"),
    ("id", "tolong berhenti kirim pesan"),
    ("id", "jangan kirim promo lagi ya"),
    ("id", "hapus nomor saya"),
    # Forms added for the hand-written train replies (new phrasings, not the train lines)
    ("en", "where did u get my number? please delete it"),
    ("en", "who gave u this number, remove it"),
    ("en", "cancel all these notifications please"),
    ("en", "please cancel my subscription to your whatsapp messages"),
    ("en", "how can I stop receiving your promos?"),
    ("en", "i want to stop getting these alerts"),
    ("en", "stop please, I get 5 messages a day"),
    ("en", "don't send me anything more please"),
    ("en", "do not send us any more of those"),
    ("en", "remov me from this list"),
    ("en", "stpo sending me stuff"),
    ("en", "unsuscribe me please"),
    ("en", "unsubcribe"),
    ("en", "stop it 🛑"),
    ("en", "Stop, please"),
    ("de", "STOPP!"),
    ("de", "Bitte abbestellen"),
    ("de", "wie kann ich mich vom Newsletter abmelden?"),
    ("de", "wir wollen raus aus eurer Liste"),
    ("de", "Hören Sie bitte auf mit den Nachrichten"),
    ("de", "Woher hast du meine Nummer? Bitte löschen"),
    ("es", "ya no nos manden nada"),
    ("es", "por favor ya no me contacten"),
    ("es", "basta de tantos mensajes"),
    ("es", "ya no quiero recibir sus ofertas"),
    ("es", "desuscríbanme"),
    ("es", "¿quién les dio mi número? elimínenlo"),
    ("es", "no, dejen de mandarme mensajes"),
    ("pt", "quero parar de receber mensagens de vocês"),
    ("pt", "chega de tanta propaganda"),
    ("pt", "cancelem as mensagens por favor"),
    ("pt", "apaga meu número da lista"),
    ("pt", "de onde vocês tiraram meu número? apaguem"),
    ("fr", "comment faire pour ne plus recevoir vos offres ?"),
    ("fr", "qui vous a donné mon numéro ? effacez-le"),
    ("hi", "promotions nahi chahiye bhai"),
    ("hi", "ab message na bhejein"),
    ("hi", "spam mat kro"),
    ("hi", "mera number kahan se mila aapko? please remove karo"),
    ("hi", "mujhe broadcast se hata do"),
    ("hi", "number delete kar do plz"),
    ("id", "jgn kirim promo lg"),
    ("id", "gausah kirim pesan lagi"),
    ("id", "nggak usah kirim2 broadcast lagi kak"),
    ("id", "hapus kontakku"),
    ("id", "dapat nomer saya dari mana? hapus"),
    ("id", "berhenti ya kak, terima kasih"),
    # Forms added for tests/data/replies/optout_fresh.txt (new phrasings, not its lines)
    ("en", "please get me off your mailing list"),
    ("en", "leave my number out of these broadcasts"),
    ("en", "never contact me via whatsapp again"),
    ("en", "stp texting me pls"),
    ("en", "ok enough with the promos!"),
    ("en", "Not interested. stop spam"),
    ("de", "Tragt uns bitte aus dem Verteiler aus"),
    ("de", "Können Sie meine Nummer aus Ihrer Kundenliste nehmen?"),
    ("de", "Ich verlange die Löschung meiner gespeicherten Daten"),
    ("de", "Hiermit widerspreche ich der Nutzung meiner Nummer für Werbung"),
    ("de", "Ich will eure Angebote nicht mehr bekommen"),
    ("de", "Ich möchte nichts mehr von Ihnen erhalten"),
    ("de", "Belästigen Sie mich nie wieder"),
    ("de", "Lassen Sie mich bitte in Ruhe mit den Angeboten"),
    ("de", "Schluss mit dem Spam!"),
    ("de", "Stopp, keine Angebote"),
    ("de", "bitte aufhören mit der Werbung"),
    ("de", "hört auf, mich anzuschreiben"),
    ("de", "keine Werbenachrichten mehr bitte"),
    ("es", "dejen de molestar con tantas ofertas"),
    ("es", "basta ya con las promociones"),
    ("es", "no más publicidad por favor"),
    ("es", "no nos vuelvan a escribir"),
    ("es", "no quiero que me sigan mandando cosas"),
    ("es", "cancelen todos los mensajes a mi celular"),
    ("es", "denme de baja, gracias"),
    ("es", "bórrenme ya"),
    ("es", "retiren mis datos de su base"),
    ("es", "ya no deseo recibir sus promociones"),
    ("es", "preferiría que no me mandaran más ofertas"),
    ("pt", "parem de perturbar com essas promoções"),
    ("pt", "não me procurem mais"),
    ("pt", "não entrem mais em contato, obrigado"),
    ("pt", "não quero mais nenhuma mensagem"),
    ("pt", "suspendam o envio das propagandas"),
    ("pt", "quero cancelar minha inscrição na lista"),
    ("pt", "podem retirar meu número da lista?"),
    ("pt", "me exclui logo"),
    ("pt", "Parem!"),
    ("fr", "cessez de m'écrire"),
    ("fr", "arrête tes pubs"),
    ("fr", "merci d'effacer mes données"),
    ("fr", "pouvez-vous nous retirer de votre fichier ?"),
    ("fr", "je préfère ne plus être sollicitée"),
    ("fr", "je ne veux plus rien recevoir"),
    ("fr", "Bon. Plus de relances"),
    ("fr", "assez de spam"),
    ("fr", "j'veux plus de tes sms"),
    ("fr", "Stop pub !"),
    ("hi", "mujhe promotions bhejna band karo"),
    ("hi", "whatsapp karna chhod do yaar"),
    ("hi", "band kar do ye promotion wale sms"),
    ("hi", "spam band kijiye"),
    ("hi", "hatao mera number"),
    ("hi", "mujhe group se bahar kar do"),
    ("hi", "nikalo list se mujhe"),
    ("hi", "contact na karo please"),
    ("hi", "bas, mera number delete kar do"),
    ("hi", "Band karo!"),
    ("id", "setop kirimin promo"),
    ("id", "hentikan semua iklannya"),
    ("id", "stop berlangganan"),
    ("id", "aku pengen berhenti menerima promo"),
    ("id", "keberatan dikirimi iklan"),
    ("id", "jgn dikirimin pesan lagi ya"),
    ("id", "jangan tambahin nomor aku ke grup promo"),
    ("id", "tolong nomor saya dihapus"),
    ("en", "Stop dong min"),  # "stop" with Indonesian politeness words
]
NOT_OPT_OUTS = [
    "I'll stop by tomorrow",
    "I want to be on the list for the next batch",
    "please don't stop sending me deals",
    "please don't stop the offers, love them",
    "it stopped working after a day",
    "waiting at the bus stop",
    "can't stop laughing at the ad",
    "how do I remove an item from my cart?",
    "Cancel my order please",
    "when does the promo end?",
    "não para de mandar promoção, adoro",
    "jangan kirim dulu, saya belum transfer",
    "ich melde mich morgen",
    "no thanks",
    "remove the onions please",
    # Near misses of the forms above: the verb without what it applies to, or negated
    "can I cancel my order",
    "cancel my appointment",
    "cancel my subscription",
    "cancel the offer I accepted yesterday",
    "please don't remove me from the list",
    "you don't have to remove me, I like the deals",
    "where did you get my number? just curious, I love the offers",
    "why did I stop getting your messages?",
    "I don't want to stop receiving your promos",
    "please stop by the store, I get 3 a day there",
    "don't send me anything else until I pay",
    "Stop it! 😂",
    "Kann ich mich für den Kurs abmelden?",
    "Ich möchte mich vom Yoga am Freitag abmelden",
    "hör auf mit dem Quatsch, das ist super",
    "Woher haben Sie meine Nummer? Egal, ich bin interessiert",
    "no dejen de mandar promociones",
    "basta de esperar, lo compro",
    "no me escriban por acá, mejor llamen",
    "não quero parar de receber as promoções",
    "cancela o envio do meu pedido",
    "je préfère ne plus recevoir le colis au relais",
    "jangan berhenti kirim promo ya",
    "gak usah kirim dulu kak",
    "mera number kahan se mila? bahut accha offer hai",
    # Near misses of the forms added for optout_fresh.txt
    "get me off the waitlist for Saturday please",
    "leave me out of the group photo",
    "enough messages for today, talk tomorrow",
    "I don't get enough texts from my son",
    "warum schreibt ihr mir nicht mehr?",
    "Ich habe eure Nachrichten nicht mehr erhalten, ist alles ok?",
    "Nehmt mich bitte von der Warteliste für Samstag",
    "Ich möchte meinen Sohn vom Kurs abmelden",
    "nicht aufhören mit den Angeboten!",
    "no me manden mas tarde, mejor en la mañana",
    "no más mensajes de error por favor, arreglen la app",
    "bórrame el pedido duplicado",
    "no me vuelvan a llamar al fijo",
    "cancelen las notificaciones del pedido",
    "quiero dar de baja a mi hija del curso de inglés",
    "me tira uma dúvida?",
    "não me remove, quero ficar",
    "me tira da fila de espera de sábado",
    "n'arrêtez pas les promos",
    "arrête les notifications de livraison, j'ai reçu le colis",
    "je veux plus de promos !",
    "plus de promos ?",
    "oubliez mon numéro de commande, je l'ai retrouvé",
    "il ne faut pas supprimer mon numéro",
    "je voudrais désinscrire ma fille du club de tennis",
    "bhejna band mat karo",
    "Pizza se onion remove kar do",
    "Mere bete ko class se hata ke tennis mein daal do",
    "kok nomor saya dihapus dari grup?",
    "hapus saya dari antrian hari Sabtu",
    "lol can't stop watching your reels",
    # a leading "stop," followed by laughter is a joke (only laughter)
    "Stop, you're killing me 🤣",
    "stop stop wkwkwk",
    "Stopp, ich lach mich weg",
    "Parem, kkkkkk",
    "",
]


# Families revealed by tests/data/replies/optout_fresh2.txt, in all seven languages (new
# phrasings, not its lines), with counterexamples
FAMILY_OPT_OUTS = [
    # data protection: erase my data
    ("en", "per GDPR please delete all my personal information"),
    ("es", "exijo el borrado de mis datos, gracias"),
    ("pt", "quero a eliminação dos meus dados conforme a LGPD"),
    ("fr", "je demande la suppression de mes coordonnées"),
    ("de", "Bitte um Löschung meiner Kontaktdaten gemäß DSGVO"),
    ("id", "tolong agar data pribadi saya dihapus"),
    ("hi", "mera data delete kar do please"),
    # consent withdrawal
    ("en", "I hereby revoke my consent"),
    ("es", "retiro mi consentimiento, no me escriban"),
    ("pt", "retiro o meu consentimento"),
    ("fr", "nous révoquons notre consentement"),
    ("de", "Ich ziehe meine Zustimmung hiermit zurück"),
    ("id", "saya tarik kembali persetujuan saya"),
    ("hi", "meri consent wapas le rahi hoon"),
    # block this number from your system
    ("en", "block my number from your database"),
    ("es", "bloquéenme de su lista"),
    ("pt", "bloqueia meu número do cadastro"),
    ("fr", "bloquez mon numéro dans votre fichier"),
    ("de", "Sperren Sie meine Nummer in Ihrem System"),
    ("hi", "mera number block kar do apne system se"),
    ("id", "block nomor saya di database kalian"),
    # leave me alone with your ads
    ("en", "leave us alone with these promos"),
    ("es", "déjame tranquila con tanta publicidad"),
    ("pt", "deixem-me em paz com essas propagandas"),
    ("fr", "laissez-moi tranquille avec vos relances"),
    ("de", "Lass mich bitte mit deinen Angeboten in Ruhe"),
    ("hi", "offers bhej ke pareshan mat karo"),
    ("id", "jgn ganggu aku lagi"),
    # out of the group / the list
    ("en", "we want off your broadcast list"),
    ("es", "me quiten del grupo ya"),
    ("pt", "remova-me da lista de transmissão"),
    ("fr", "virez-moi de cette liste"),
    ("de", "Werft mich aus der WhatsApp-Gruppe"),
    ("hi", "group se mera naam kaat do"),
    ("id", "mohon saya dikeluarkan dari grup"),
    # someone else's number: remove it from your sends
    ("en", "this is my dad's phone, please take this number off your list"),
    ("es", "es el celular de mi abuela, bórrenlo de su lista"),
    ("fr", "c'est le numéro de mon père, supprimez-le de votre liste"),
    ("id", "ini nomor bapak saya, tolong dicoret dari daftar"),
    # not a customer anymore / no need to message me
    ("en", "no need to text me anymore"),
    ("en", "I'm no longer a member, please stop messaging"),
    ("es", "ya no soy socia, no me manden nada"),
    ("es", "no hace falta que me sigan escribiendo"),
    ("pt", "não precisam me enviar mais nada"),
    ("fr", "plus besoin de me contacter"),
    ("de", "schickt mir nichts mehr"),
    ("hi", "msg bhejne ki zarurat nahi"),
    ("id", "gak perlu kirim iklan lagi"),
    # threats to report further messages
    ("en", "if you keep texting me I'll report you"),
    ("es", "si siguen mandando mensajes los reporto"),
    ("pt", "se continuarem vou reclamar na Anatel"),
    ("fr", "si vous m'écrivez encore je porte plainte"),
    ("de", "Wenn Sie mir nochmal schreiben, gibt es eine Anzeige"),
    ("hi", "dobara msg kiya to police complaint karunga"),
    ("id", "kalo terus spam saya lapor"),
    # enough with the ads / stop the spam
    ("en", "enough of your ads"),
    ("en", "please cease all promotional texts"),
    ("es", "basta de anuncios"),
    ("pt", "parem com esses anúncios"),
    ("fr", "ras le bol de vos messages"),
    ("fr", "arrête la pub"),
    ("de", "Jetzt reicht's mit der Werbung"),
    ("hi", "sms band plz"),
    # don't send anything else to this number / cease and desist
    ("en", "do not send any more messages to this number"),
    ("en", "cease and desist, now"),
    ("de", "keine weiteren Angebote an meine Nummer schicken"),
    ("id", "tolong jangan mengirim promo lagi ke nomor ini"),
    ("id", "ga usah wa lagi"),
    ("es", "dejen de llamarme"),
    ("pt", "pare de me ligar"),
    ("fr", "pas de pubs merci"),
]
FAMILY_NOT_OPT_OUTS = [
    # leading "stop" + delight or a question about the deal (like laughter)
    "Stop, that price is too good 😍",
    "STOP! 🤩 is this real?",
    # negated removal
    "no nos borren de la lista por favor",
    "não me remova da lista, gosto das ofertas",
    "jangan hapus nomor saya, saya masih mau promo",
    "don't block my number from your list, I want the deals",
    # transactional look-alikes of the new families
    "please delete my old address data from the order",
    "borren mis datos de envío viejos, me mudé",
    "retiro mi autorización de débito automático",
    "I got a cease and desist letter from my landlord, can you help?",
    "I blocked my card in the system by mistake",
    "gibt es keine weiteren Angebote?",
    "Kann ich meine alte Nummer löschen und die neue eintragen?",
    "no need to text me, I'll come by tomorrow",
    "if you send me the invoice I'll report it to accounting",
    "kalau sudah kirim pesanan, lapor ke saya ya",
    "jangan ganggu dulu, saya lagi meeting",
    "gak usah chat dulu kak",
    "leave me alone with the kids today, lol, I'll buy later",
    "take my son out of the group chat for the class",
    "bas karo 😂 bahut funny",
    "sms band hai kya?",
    "pas besoin de m'envoyer la facture, je l'ai",
]


# Families revealed by tests/data/replies/optout_fresh3.txt (optout_phrases_more), in all seven
# languages (new phrasings, not its lines), with counterexamples
MORE_OPT_OUTS = [
    # formal letters
    ("en", "To whom it may concern, please discontinue all future correspondence with me."),
    ("en", "Kindly refrain from contacting this number."),
    ("es", "Les pido que suspendan cualquier envío de publicidad a mi teléfono."),
    ("es", "Absténganse de enviarme mensajes, por favor."),
    ("pt", "Peço que interrompam todo o envio de publicidade para mim."),
    ("fr", "Je demande l'arrêt de tout envoi sur ce numéro."),
    ("fr", "Abstenez-vous de me relancer."),
    ("de", "Ich bitte Sie, sämtliche Werbemitteilungen künftig zu unterlassen."),
    ("de", "Unterlassen Sie jegliche Anrufe und SMS."),
    ("de", "Stellen Sie bitte die Werbung ein."),
    ("hi", "Is number par promotions na bheje jaayen."),
    ("id", "Harap tidak lagi mengirim promo ke nomor ini."),
    ("id", "Mohon hentikan pengiriman informasi promo ke saya."),
    # would like to stop receiving / no longer wish to receive
    ("en", "We'd like to stop getting your weekly newsletter."),
    ("en", "I no longer wish to receive these updates."),
    ("es", "Preferiría dejar de recibir sus ofertas."),
    ("es", "No queremos seguir recibiendo mensajes de ustedes."),
    ("pt", "Queria deixar de receber essas promoções."),
    ("pt", "Não quero continuar recebendo anúncios."),
    ("fr", "Nous voudrions arrêter de recevoir vos promotions."),
    ("hi", "Mujhe ye notifications receive nahi karna chahta, band karo."),
    ("hi", "aapke marketing nahi chahiye"),
    ("id", "Aku gak pengen dapet promosi lagi."),
    # don't send me any more ... / cut it out with / leave me out with
    ("en", "pls don't send us any further promotions"),
    ("en", "knock it off with the texts"),
    ("en", "give it a rest with your ads"),
    ("es", "córtenla con las promociones"),
    ("pt", "larguem do meu pé com essas propagandas"),
    ("fr", "lâche-moi avec tes relances"),
    ("de", "Verschont mich bitte mit eurer Werbung"),
    ("id", "udahan deh kirim promonya"),
    ("id", "cukup iklannya kak"),
    # stop these messages (after a threat to block)
    ("fr", "Non mais sérieux, stoppez vos pubs."),
    ("es", "Los voy a bloquear. Detengan los mensajes."),
    ("pt", "Vou bloquear, parem essas mensagens."),
    ("de", "Ich blockiere euch. Stellt die SMS ein!"),
    ("hi", "Block kar dungi. Ye sms roko"),
    ("id", "Saya blokir nih. Stop pengiriman pesan ini."),
    # asking to be unsubscribed / de-registered
    ("es", "Quisiera la baja de sus mensajes."),
    ("de", "Bitte um Abmeldung aus dem Verteiler."),
    ("de", "Meldet uns bitte ab."),
    ("de", "Woher auch immer. Bitte aus der Datenbank entfernen."),
    ("id", "mau stop langganan info promo"),
    ("id", "UNREG ya"),
    ("hi", "bnd kro"),
    # the polite subjunctive: remove my contact from your database
    ("pt", "Agradecia que apagassem o meu número da vossa lista."),
    ("es", "Les agradecería que eliminaran mi número de su base de datos."),
    ("hi", "Hamare system se hata dijiye mera number"),
    ("id", "Tolong saya dihapus dari database toko."),
    ("hi", "Mera number kaise mila aapko? turant hatao"),
    # dialects, spellings and abbreviations
    ("de", "Bitte kei Werbig meh"),
    ("de", "hört bitte auf mir zu schiken"),
    ("fr", "arrete de me texter svp"),
    ("fr", "arretter de mécrire"),
    ("es", "ya no m escriban"),
    ("es", "paren d mandarme cosas"),
    ("pt", "deixa de me ligar"),
    ("pt", "nn quero mais mensagens"),
    ("hi", "promo mt bhjo"),
    ("id", "jgn krm pesan lg"),
    ("id", "tdk mau terima psn promo lagi"),
]
MORE_NOT_OPT_OUTS = [
    # counterexamples of the new families
    "Please discontinue my order, I found it cheaper",
    "We don't want to stop receiving your newsletter, it's great",
    "I'd like to stop receiving notifications for my order, it arrived",
    "don't send me more photos of the dress, I've decided",
    "cut it out with the jokes 😂",
    "no quiero dejar de recibir sus ofertas",
    "¿Pueden suspender el envío del pedido hasta el lunes?",
    "Solicito la baja del gimnasio a partir de marzo",
    "não quero parar de receber as promoções",
    "Por favor, suspendam o envio da encomenda",
    "Ich möchte die Abmeldung meines Sohnes vom Kurs",
    "Meldet mich bitte für den Kurs am Montag an",
    "Stellt die Lieferung bitte ein, ich bin im Urlaub",
    "Bitte meine alte Adresse aus dem System löschen",
    "je ne voudrais pas arrêter de recevoir vos promos",
    "stoppez la livraison de mon colis",
    "aaj delivery rok do",
    "Purana photo delete kar do please",
    "saya mau berhenti langganan internet bulan depan",
    "udahan chatnya ya kak, makasih",
    "gak usah telepon, cukup chat aja",
    "udah kirim pesannya?",
    "ga mau dapet pesanan yang salah lagi",
    "Stop, is that price real?! 😍",
    "Galti se video bhej diya, delete kar do",
]


def test_more_family_sentences_opt_out():
    wrong = {}
    for lang, text in MORE_OPT_OUTS:
        found = match_opt_out(text, sentences=True)
        if not (found and found.startswith(f"phrase:{lang}:")):
            wrong[text] = found
    assert wrong == {}


def test_more_family_look_alikes_do_not():
    assert {t: match_opt_out(t, sentences=True) for t in MORE_NOT_OPT_OUTS} == dict.fromkeys(
        MORE_NOT_OPT_OUTS
    )


def test_prefilter_never_skips_a_rule_that_matches():
    """optout_phrases_prefilter only skips rules that cannot match: every rule match on the
    test sentences is one the prefilter lets through."""
    from app.contacts import optout_phrases as op
    from app.contacts import optout_phrases_prefilter as pf

    texts = [t for _, t in OPT_OUTS + FAMILY_OPT_OUTS + MORE_OPT_OUTS]
    texts += NOT_OPT_OUTS + FAMILY_NOT_OPT_OUTS + MORE_NOT_OPT_OUTS
    skipped = []
    for text in texts:
        norm = op.normalize(text)
        clauses = " | ".join(op.normalize(p) for p in op._SEGMENTS.split(text)[::2])
        prefixes = pf.text_keys(norm, clauses)
        for _, name, pattern, _, negatable, keys in op._COMPILED:
            where = clauses if negatable else norm
            if pattern.search(where) and not pf.may_match(keys, prefixes, where):
                skipped.append((name, text))
    assert skipped == []
    assert all(keys is not None for *_, keys in op._COMPILED)  # every rule is prefiltered


# Loops, not parametrize: every test here would pay the per-test database truncation.


def test_explicit_sentences_opt_out():
    wrong = {}
    for lang, text in OPT_OUTS:
        found = match_opt_out(text, sentences=True)
        # A plain-words request of the whole message ("please remove me from your list") is
        # already matched by the keyword rules; every other opt-out by a sentence rule.
        whole = found is not None and found == match_opt_out(text)
        if not (found and (whole or found.startswith(f"phrase:{lang}:"))):
            wrong[text] = found
    assert wrong == {}


def test_family_sentences_opt_out():
    wrong = {}
    for lang, text in FAMILY_OPT_OUTS:
        found = match_opt_out(text, sentences=True)
        whole = found is not None and found == match_opt_out(text)
        if not (found and (whole or found.startswith(f"phrase:{lang}:"))):
            wrong[text] = found
    assert wrong == {}


def test_family_look_alikes_do_not():
    assert {t: match_opt_out(t, sentences=True) for t in FAMILY_NOT_OPT_OUTS} == dict.fromkeys(
        FAMILY_NOT_OPT_OUTS
    )


def test_other_sentences_do_not():
    assert {t: match_opt_out(t, sentences=True) for t in NOT_OPT_OUTS} == dict.fromkeys(
        NOT_OPT_OUTS
    )


def test_request_path_keeps_whole_message_keywords_only():
    """The webhook path (default) opts out on whole-message keywords and a few exact English
    plain-words requests only: any other sentence is left to the reply classifier."""
    matched = [(lang, t) for lang, t in OPT_OUTS if match_opt_out(t) is not None]
    assert all(lang == "en" for lang, _ in matched), matched
    assert len(matched) < len([1 for lang, _ in OPT_OUTS if lang == "en"])
    assert match_opt_out("please stop texting me about the sale, I bought one") is None


@pytest.mark.parametrize("text", ["STOP", " stop ", "Stop!", "UNSUBSCRIBE", "opt-out"])
def test_keywords_still_match_both_ways(text):
    assert match_opt_out(text) == match_opt_out(text, sentences=True) is not None


def test_configured_keywords_follow_the_setting(monkeypatch):
    from app.core.config import settings

    assert match_opt_out("basta") is None
    monkeypatch.setattr(settings, "OPT_OUT_KEYWORDS", ["Basta"])
    assert match_opt_out("BASTA!") == "basta"


# Train opt-outs the rules leave to the model (and so to human review), on purpose:
# A review's cases: a leading "STOP," followed by a reason is an opt-out in every language (the
# legal cost of missing it outweighs "stop, you had me at 50% off"), and negated or
# order/app-related forms are not.
REVIEW_OPT_OUTS = [
    "Stop, not interested",
    "STOP, wrong number",
    "Stop, who is this?",
    "Stop, please. Not interested",
    "Baja, no me interesa",
    "Berhenti, saya tidak mau",
    "Arrête, je ne suis pas intéressé",
    # laughter is the only exception: any other reason after the "stop," keeps it
    "STOP, not interested 😡",
    "Stop. who is this?",
    "Parem, vou denunciar",
]
REVIEW_NOT_OPT_OUTS = [
    "who gave you my number? don't remove it",
    "how did you get my details? I didn't delete the app",
    "¿De dónde sacaron mi número? No lo borren, quiero seguir",
    "De onde vocês tiraram meu número? Não apaguem, quero continuar",
    "De onde vocês tiraram meu número? não precisa apagar",
    "Où avez-vous eu mon numéro ? Ne le supprimez pas",
    "I can't stop buying, too many good offers lol",
    "The bus doesn't stop here, there are too many roadworks",
    "cancel the alerts for order 1234, I already got it",
    "can you cancel the notifications for my delivery",
    "how do I stop getting notifications on my laptop",
    "stop the alerts for order 55 it arrived",
    "I no longer want to be on the list for the red shoes, give me the blue",
    "ga usah kirim ulang lagi kak, sudah diterima",
    "gak usah kirim invoice lagi",
    "ya no me llamen al fijo, llamen al celular",
    "Basta de mensajes de error en la app",
    "cancelar as notificações do pedido 123",
    "cancela o envio das mensagens de confirmação do pedido?",
    "ne plus recevoir les notifications de livraison ?",
    # waitlists and unenrolling someone else from a class move a booking
    "can you take me off the wait list and book me for June",
    "por favor sáquenme de la lista de espera",
    "enlevez-moi de la liste d'attente du samedi",
    "Bitte nehmen Sie meine Nummer von der Warteliste",
    "tolong keluarkan saya dari daftar tunggu",
    "waiting list se mera naam hata do",
    "me desuscriben a mi hijo del taller de pintura?",
    "darle de baja a mi esposa del plan familiar",
]


@pytest.mark.parametrize("text", REVIEW_OPT_OUTS)
def test_leading_stop_with_a_reason_opts_out(text):
    assert match_opt_out(text, sentences=True) is not None


@pytest.mark.parametrize("text", REVIEW_NOT_OPT_OUTS)
def test_negated_or_transactional_forms_do_not(text):
    assert match_opt_out(text, sentences=True) is None


# Training replies the rules decide differently from their label, on purpose.
# (A leading "stop," followed by delight, "arrête, c'est trop beau, je prends !", now reads
# like laughter: it is no longer one.)
KNOWN_FALSE_POSITIVES: list[str] = []
KNOWN_MISSES = [
    "stahp pls omg",  # a meme spelling, mostly playful ("stahp it 😂"), with an interjection
]


def test_every_train_split_opt_out_matches_and_nothing_else():
    """The rules were written from the train split: every opt-out but KNOWN_MISSES matches, and
    nothing else does. (The held-out split is measured by `make eval`, never used here.)"""
    rows = [json.loads(line) for line in (DATA / "train.jsonl").read_text().splitlines()]
    missed = [r["text"] for r in rows if r["intent"] == "opt_out" and not _match(r)]
    false = [r["text"] for r in rows if r["intent"] != "opt_out" and _match(r)]
    assert missed == KNOWN_MISSES and false == KNOWN_FALSE_POSITIVES


def _match(row: dict) -> bool:
    return match_opt_out(row["text"], sentences=True) is not None


def test_long_text_is_bounded():
    assert (
        match_opt_out("hello " * 20_000 + "please remove me from your list", sentences=True) is None
    )
    assert match_opt_out("please remove me from your list " + "x" * 100_000, sentences=True)


def test_worst_case_replies_stay_fast():
    """Bounded gaps only: a 2,000-character reply of repeated rule words stays in milliseconds
    (about 2 ms here with the prefilter; the bound leaves room for a slow CI machine)."""
    import time

    worst = 0.0
    units = ("a, ", "no me ", "mich bitte ", "stop, lol ", "remove kar ", "plus de messages ")
    units += ("si me vuelven a ", "wenn noch ", "kalau masih kirim ", "agar message ", "é ")
    units += ("jegliche zusendung ", "i would like to stop receiving ", "udahan dong ", "bitte um ")
    for unit in units:
        text = (unit * (2000 // len(unit) + 1))[:2000]
        start = time.perf_counter()
        match_opt_out(text, sentences=True)
        worst = max(worst, time.perf_counter() - start)
    assert worst < 0.05


def test_ascii_fast_path_normalizes_like_the_unicode_path():
    import random

    from app.contacts.optout_keywords import _normalize_unicode, normalize

    rng = random.Random(1)
    samples = [chr(i) for i in range(128)] + ["  S.T.O.P ", "Opt-out!", "stop_all", "a\tb\nc"]
    samples += [
        "".join(rng.choice([chr(i) for i in range(128)]) for _ in range(12)) for _ in range(5000)
    ]
    assert [normalize(t) for t in samples] == [_normalize_unicode(t) for t in samples]
