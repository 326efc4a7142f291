"""Opt-out requests recognised by the roles of their words (app.contacts.optout_clauses).

Each sentence below is worded so that no phrase rule names it; the clause layer has to read
its parts. Loops, not parametrize: every test here would pay the per-test database truncation.
"""

from __future__ import annotations

from app.contacts import optout_clauses as oc
from app.contacts.optout_clauses import match_clause
from app.contacts.optout_keywords import match_opt_out
from app.contacts.optout_phrases_prefilter import text_keys

REQUESTS = {
    "stop_sending": [
        "could you people quit with the weekly deals already",
        "Dejad ya de mandarme vuestras ofertas, por favor",
        "Parem já de me enviar essas promoções",
        "Arrêtez donc de m'envoyer vos newsletters",
        "Könnten Sie endlich aufhören, mir Werbung zu schicken",
        "roz roz promotional message bhejna band kijiye",
        "Mohon pengiriman iklan ke nomor ini dihentikan",
        "how can I make all these promos stop?",
        "is there any way to stop receiving these offers?",
        "Bitte stellen Sie die Werbenachrichten an mich ein",
    ],
    "not_want_messages": [
        "Ya no deseo recibir sus boletines",
        "eu não quero mais receber mensagens de vocês",
        "je ne souhaite plus recevoir vos offres",
        "Ich möchte in Zukunft keine Angebote mehr erhalten",
        "mujhe aapke promotions nahi chahiye",
        "saya tidak mau menerima promo lagi",
    ],
    "remove_me": [
        "Saquen mi número de su base de datos",
        "Retirem o meu contato da vossa lista, obrigado",
        "Effacez mon numéro de votre fichier",
        "Bitte streicht meine Nummer aus eurem Verteiler",
        "meri details apni list se hata dijiye",
        "tolong hapus nomor saya dari daftar kalian",
        "quero sair dessa lista de transmissão",
        "I ask that my details be deleted from your customer list",
        "Meu telefone deve ser excluído da base de vocês",
        "how do I get off your broadcast list?",
        "I want my data deleted from your system",
        "como faço pra sair disso?",
        "gimana caranya keluar dari ini?",
        "Bitte verwenden Sie meine Nummer nicht mehr",
        "No usen mi número para nada más",
    ],
    "dont_contact": [
        "No vuelvan a escribirme por este medio",
        "Não voltem a me ligar nem mandar mensagem",
        "ne me relancez plus",
        "Schreiben Sie mir bitte nicht mehr",
        "kripya mujhse dobara sampark na karein",
        "jangan hubungi saya lagi ya",
        "Es el teléfono de mi abuela, no le manden promociones",
    ],
    "cancel_sending": [
        "Cancelen el envío de publicidad a mi teléfono",
        "quero cancelar o envio de mensagens para mim",
    ],
    "no_consent": [
        "No autorizo que me envíen publicidad",
        "I withdraw the consent I gave for WhatsApp offers",
    ],
    "threat_to_report": [
        "One more promo like this and I am reporting your number",
        "Si vuelven a mandar algo los denuncio",
        "Uma mensagem mais e eu denuncio vocês",
    ],
    "no_more_messages": [
        "bitte keine Werbung mehr an diese Nummer",
        "gak usah kirim promo lagi ya",
        "Lasst mich doch mit euren Angeboten in Ruhe",
    ],
    "not_receive": [
        "comment faire pour ne plus recevoir tout ça",
        "Wie kann ich vermeiden, dass mir diese Werbung weiter geschickt wird?",
        "caranya gimana biar gak dapet iklan lagi?",
    ],
}

# Look-alikes: the same words, no request to stop the messages.
NOT_REQUESTS = [
    "could you quit sending the invoice to my old email and use this one instead",
    "Dejad de preocuparos, el pedido llegó bien",
    "Parem tudo! Essa promoção está boa demais 😂",
    "Arrêtez, c'est trop beau 😍 je prends",
    "Ich möchte die Angebote weiter bekommen, bitte nicht aufhören",
    "aapke messages band kyun ho gaye? mujhe chahiye",
    "promo kapan berhenti?",
    "no quiero perderme ninguna oferta",
    "não quero parar de receber as promoções",
    "je ne veux pas rater vos offres",
    "Saquen la cebolla de mi pedido por favor",
    "Retirem o item do meu carrinho",
    "Effacez la photo que je vous ai envoyée",
    "Bitte löschen Sie meine alte Adresse aus dem Konto",
    "cart se ye item hata dijiye",
    "tolong hapus foto yang saya kirim tadi",
    "No me escriban hoy, estoy en una reunión",
    "não precisa me mandar a fatura de novo",
    "ne me relancez pas avant lundi",
    "Cancelen mi pedido, por favor",
    "No autorizo el débito automático de la tarjeta",
    "I will report the bug to your app team",
    "no more messages from the courier? my order hasn't arrived",
    "kok saya gak dapet promo lagi? mau dong",
    "why did you stop sending the weekly deals?",
    "jangan berhenti kirim info diskon ya",
    "don't stop messaging me about the sales!",
    "Schreibt ihr mir nicht mehr? Ich vermisse eure Angebote",
    "when does this promo stop?",
    "another shop keeps sending me spam, how do I block them?",
    "tolong sambalnya dihapus dari pesanan saya",
    "how do I stop the monthly payment for the subscription?",
    "how do I get out of the parking garage?",
    "Este número ya no se usa, llamen a la oficina",
    "my brother doesn't use this number now, he changed it",
    "Warum bekomme ich keine Angebote mehr?",
    "pourquoi je ne reçois plus vos offres ?",
    "Bitte stellen Sie den Termin auf Freitag ein",
]


def test_each_request_is_read_from_its_parts():
    wrong = {}
    for request, texts in REQUESTS.items():
        for text in texts:
            found = match_clause(text)
            if found != f"clause:{request}":
                wrong[text] = found
    assert wrong == {}


def test_look_alikes_are_not_requests():
    found = {t: match_clause(t) for t in NOT_REQUESTS}
    assert found == dict.fromkeys(NOT_REQUESTS)


def test_a_not_before_the_verb_cancels_it():
    assert match_clause("dejen de mandarme ofertas") == "clause:stop_sending"
    assert match_clause("no dejen de mandarme ofertas") is None
    assert match_clause("remove my number from your list") == "clause:remove_me"
    assert match_clause("please don't remove my number from your list") is None


def test_a_reply_that_wants_the_messages_is_not_read():
    text = "did you stop sending the promos? I want them"
    assert match_clause("stop sending the promos") == "clause:stop_sending"
    assert match_clause(text) is None
    assert match_opt_out(text, sentences=True) is None


def test_a_leading_stop_said_in_delight_or_stretched():
    assert match_opt_out("Stop! This price is unreal 😱 is it real?", sentences=True) is None
    assert match_opt_out("Para, que promoção boa 😂 quero duas", sentences=True) is None
    assert match_opt_out("stoppp", sentences=True)
    assert match_opt_out("Stop, I get too many of these", sentences=True)


def test_stretched_letters_are_read_as_the_word():
    assert match_opt_out("chegaaaa de mensagem 😤", sentences=True)
    assert match_opt_out("hört auuuuf", sentences=True)
    assert match_opt_out("Parem, kkkkkk", sentences=True) is None  # laughter stays laughter


def test_my_number_then_remove_it():
    assert match_clause("Where did you get my number? Delete it now") == "clause:remove_my_number"
    assert match_clause("This is my number. I didn't delete the app") is None


def test_the_role_prefilter_never_skips_a_role_that_matches():
    """Only roles whose words can start at a word of the sentence are searched: every role
    match on the test sentences is one the index lets through."""
    texts = [t for ts in REQUESTS.values() for t in ts] + NOT_REQUESTS
    skipped = []
    for text in texts:
        for part in oc._SENTENCES.split(text):
            norm = oc.normalize(part)
            allowed = set(oc._INDEX.candidates(text_keys(norm), norm, norm))
            for i, (role, pattern) in enumerate(oc._ROLES):
                if pattern.search(norm) and i not in allowed:
                    skipped.append((role, text))
    assert skipped == []
