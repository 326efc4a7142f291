"""A small cross-lingual lexicon: features for the intent model, not rules.

Replies come in seven languages and each language has only a share of the labelled examples, so
what the model learns about "how much is it?" says nothing about "berapa harganya?" unless
something links them. This lexicon maps common words of the same meaning in English, Spanish,
Portuguese, French, German, Hindi in Latin script and Indonesian to one concept token (e.g.
`price`); the tokens are added to the word features and the model learns their weights from the
labelled data like any other word. Nothing is decided here. Grouped cross-validation on the train
split (`python -m bench.cv_intents`) chose to keep it.

Words are written as `normalize_text()` leaves them: lower case, accents stripped. CONCEPTS
holds single words only (a phrase's words would each become the concept: "rendez vous" would
tag every "vous"); meanings that need two words are in _PAIRS and match adjacent words.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

CONCEPTS: dict[str, str] = {
    "price": """price prices pricing cost costs rate rates fee fees charges budget
        cheap expensive quote precio precios cuanto cuesta cuestan vale valen costo tarifa caro
        barato preco quanto custa custam valor caro barata prix combien coute coutent tarif cher
        preis preise kostet kosten teuer billig kitna kitne kitni daam rate kimat keemat sasta
        mehenga harga berapa biaya ongkir mahal murah tarifnya""",
    "discount": """discount discounts offer deal promo coupon sale descuento oferta rebaja
        desconto promocao remise reduction promo rabatt angebot gutschein chhoot discount diskon
        potongan promo""",
    "pay": """pay payment installments emi card cash transfer invoice pagar pago cuotas
        pagamento parcelas boleto pix payer paiement facture zahlen zahlung rechnung raten
        paisa paise payment bayar pembayaran cicilan transfer""",
    "want": """interested interest want wanna keen love like sign buy book order take
        interesado interesada quiero queremos interesa comprar reservar interessado
        interessada quero queria comprar interesse interesse interessee veux voudrais acheter
        reserver interessiert mochte will kaufen buchen chahiye chahta chahti lena lunga
        kharidna mau minat tertarik pengen ingin beli pesan""",
    "info": """details detail info information more brochure catalog catalogue link send
        share detalles informacion mas catalogo enviame manda mandame detalhes informacoes
        mais catalogo envia manda details informations plus catalogue envoyez envoie
        einzelheiten infos mehr katalog schicken senden details jankari bhejo bhejna batao
        detail info informasi lebih katalog kirim kirimin""",
    "neg": """not no nope nah never dont don't cant won't nahi nahin nai mat na nao nunca
        tampoco jamais pas non ni nicht kein keine nein nie tidak gak ga nggak enggak ndak
        bukan jangan belum""",
    "later": """later next month week year maybe someday tomorrow soon now busy luego despues
        mes semana quizas quiza manana ahora depois mes semana talvez amanha agora tard
        mois semaine demain maintenant spater monat woche vielleicht morgen jetzt baad
        mahine hafte shayad kal abhi nanti bulan minggu mungkin besok sekarang sibuk""",
    "meet": """call meeting meet visit demo appointment zoom showroom store shop office
        llamar llamada llamame cita reunion visita tienda ligar ligacao reuniao visita loja
        appel appeler rdv visite magasin anrufen anruf termin treffen besuch laden
        baat call milte milna milo aana aata dukaan telepon telpon ketemu janji kunjungi toko
        datang""",
    "when": """when time day today tonight morning afternoon evening hour cuando hora dia hoy
        tarde quando hora dia hoje tarde quand heure jour aujourd soir wann uhr tag heute
        abend kab din aaj shaam kapan jam hari sore malam""",
    "wrong": """wrong mistake mistaken wrong number equivocado equivocada error errado errada
        engano mauvais erreur trompe falsch irrtum verwahlt galat galti salah keliru nyasar""",
    "who": """who whos know quien quienes conozco conheco quem conheço qui
        connais wer kenne kaun jaanta jaanti pehchan siapa kenal""",
    "already": """already bought purchased customer member client comprei cliente compre
        achete schon bereits gekauft kunde pehle kharida sudah udah pelanggan""",
    "away": """away vacation holiday holidays office leave absent unavailable auto
        automatic vacaciones ausente fuera oficina ferias ausente escritorio conges absent
        bureau urlaub abwesend buro chutti chhutti bahar cuti libur kantor otomatis""",
    "problem": """broken late refund damaged worst terrible bad problem issue complaint
        disappointed scam roto reembolso retraso atrasado problema queja malo
        pessimo quebrado atraso reclamacao ruim casse remboursement retard probleme plainte
        nul kaputt erstattung verspatet problem beschwerde schlecht kharab bekaar dhoka
        problem rusak telat terlambat masalah kecewa jelek penipu""",
    "stop": """stop unsubscribe remove delete block spam messages message texts baja parar
        eliminar borrar mensajes sair pare remover parem mensagens arreter desabonner
        supprimer aufhoren abmelden loschen nachrichten band hatao berhenti hapus keluar""",
    "ask": """how what where which does do can could is are como que donde cual cuales
        puedo tienen hay onde qual quais posso tem voces comment quoi ou quel quelle peut
        avez wie was wo welche welcher kann haben gibt kaise kya kahan kaunsa
        milega hai kah bagaimana gimana apa dimana mana bisa ada kah""",
    "deliver": """delivery deliver shipping ship arrive arrives courier tracking envio entrega
        llega enviar envian entrega frete chega enviam rastreio livraison livrer expedition
        colis lieferung liefern versand ankommen paket delivery pahunchega courier kirim
        pengiriman sampai paket resi""",
    "spec": """size sizes colour color colors stock available availability model material
        warranty talla tallas color colores disponible stock modelo garantia tamanho cor
        cores disponivel estoque garantia taille couleur disponible stock garantie grosse
        farbe verfugbar lager garantie size colour stock available ukuran warna stok ready
        tersedia garansi""",
    "thanks": """thanks thank thx ty gracias obrigado obrigada valeu merci danke dhanyavad
        shukriya thanks terima kasih makasih""",
    "greet": """hi hello hey morning hola buenos buenas oi ola bonjour salut hallo guten
        namaste halo pagi selamat""",
    "yes": """yes yeah yep yup sure ok okay definitely absolutely si claro vale sim
        beleza oui accord ja klar genau haan ha ji theek thik iya ya boleh oke siap""",
}

_WORD = re.compile(r"\w+")


def _strip(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _index() -> tuple[dict[str, tuple[str, ...]], dict[tuple[str, str], tuple[str, ...]]]:
    words: dict[str, set[str]] = {}
    pairs: dict[tuple[str, str], set[str]] = {}
    for concept, entries in CONCEPTS.items():
        tokens = _strip(entries).split()
        for token in tokens:
            words.setdefault(token.replace("'", ""), set()).add(concept)
    for concept, phrase in _PAIRS:
        a, b = _strip(phrase).split()
        pairs.setdefault((a, b), set()).add(concept)
    return (
        {w: tuple(sorted(c)) for w, c in words.items()},
        {p: tuple(sorted(c)) for p, c in pairs.items()},
    )


# Meanings only two words carry (single words of them would be too broad).
_PAIRS: tuple[tuple[str, str], ...] = (
    ("price", "how much"), ("price", "quanto custa"), ("price", "wie viel"),
    ("price", "wie teuer"), ("wrong", "wrong number"), ("wrong", "numero equivocado"),
    ("wrong", "numero errado"), ("wrong", "mauvais numero"), ("wrong", "falsche nummer"),
    ("wrong", "galat number"), ("wrong", "salah nomor"), ("wrong", "salah orang"),
    ("who", "who is"), ("who", "quien es"), ("who", "quem e"), ("who", "qui est"),
    ("who", "kaun hai"), ("who", "siapa ini"), ("away", "out of"), ("away", "fuera de"),
    ("already", "already have"), ("already", "ya tengo"), ("already", "ja tenho"),
    ("already", "ja comprei"), ("already", "deja achete"), ("already", "schon gekauft"),
    ("already", "le liya"), ("already", "sudah beli"), ("stop", "no more"),
    ("stop", "ne plus"), ("stop", "nao quero"), ("stop", "mat bhejo"), ("stop", "mat bhejna"),
    ("meet", "rendez vous"), ("when", "hari ini"), ("later", "plus tard"),
    ("later", "peut etre"), ("want", "me interesa"), ("already", "kharid liya"),
    ("already", "ya compre"), ("already", "ja tenho"), ("yes", "bien sur"),
    ("yes", "d accord"), ("greet", "good morning"), ("greet", "bom dia"),
)  # fmt: skip
_WORDS, _BIGRAMS = _index()
DIGEST = hashlib.sha256(repr((sorted(CONCEPTS.items()), _PAIRS)).encode()).hexdigest()[:16]


def concept_tokens(doc: str) -> list[str]:
    """Concept tokens (`\\x01price`, ...) of a normalised text, once per occurrence."""
    words = [w.replace("'", "") for w in _WORD.findall(doc)]
    out: list[str] = []
    for i, w in enumerate(words):
        hit = _WORDS.get(w)
        if hit:
            out.extend("\x01" + c for c in hit)
        if i and (words[i - 1], w) in _BIGRAMS:
            out.extend("\x01" + c for c in _BIGRAMS[(words[i - 1], w)])
    return out
