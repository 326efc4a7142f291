# ruff: noqa: E501  (a data table: one family per line reads better than wrapped strings)
"""Template families for the labelled reply set (written for this project).

Each family is one phrasing pattern with slots; `build.py` fills it several times with a seeded
RNG and adds realistic noise (typos, casing, emoji). A whole family always lands on one side of
the train/held-out split, so held-out phrasings are never seen in training.

A family: (name, intent, lang, sentiment, patterns). `{slot}` draws from SLOTS; `{a|b|c}` picks
one alternative inline.
"""

from __future__ import annotations

SLOTS: dict[str, list[str]] = {
    "product": [
        "the course",
        "the membership",
        "the sofa",
        "the 6 month plan",
        "the blue dress",
        "the phone case",
        "the package",
        "the offer",
        "the facial treatment",
        "the apartment",
        "the subscription",
        "the yoga class",
        "the laptop",
        "the insurance plan",
        "the combo",
    ],
    "producto": ["el curso", "la membresía", "el sofá", "el plan", "el vestido", "la promo"],
    "produto": ["o curso", "o plano", "o sofá", "a academia", "o vestido", "a promoção"],
    "produit": ["la formation", "l'abonnement", "le canapé", "la robe", "l'offre"],
    "produkt": ["der Kurs", "das Abo", "das Sofa", "das Kleid", "das Angebot"],
    "produk": ["paketnya", "kursusnya", "sofanya", "bajunya", "promonya", "membershipnya"],
    "cheez": ["ye course", "ye plan", "sofa", "dress", "ye offer", "membership"],
    "name": [
        "John",
        "Maria",
        "Ahmed",
        "Priya",
        "Lucas",
        "Sophie",
        "Budi",
        "Anita",
        "Carlos",
        "Kevin",
        "Fatima",
        "Tom",
        "Rina",
        "Jürgen",
        "Camille",
        "Rohit",
    ],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "tomorrow"],
    "time": ["10am", "11:30", "2pm", "4 pm", "after lunch", "in the evening", "9 sharp"],
    "city": ["Leeds", "Austin", "Pune", "Lagos", "Manchester", "Surabaya", "Porto"],
    "emoji_pos": ["🙌", "😍", "👍", "🔥", "😊", "🙏", "❤️", "💯"],
    "emoji_neg": ["😡", "😤", "🤬", "😠", "👎", "🙄"],
    "num": ["48213", "A-1192", "77310", "#5521", "30917"],
}

Family = tuple[str, str, str, str, list[str]]

FAMILIES: list[Family] = [
    # --- interested ------------------------------------------------------------------------
    (
        "int_yes_send",
        "interested",
        "en",
        "pos",
        [
            "{yes|yeah|yep|sure|definitely|of course|ok sure}, {send me the details|share more info|"
            "tell me more|send the link|what's the next step?}",
        ],
    ),
    (
        "int_in_product",
        "interested",
        "en",
        "pos",
        [
            "I'm interested in {product}",
            "interested in {product} {emoji_pos}",
            "{product} looks {great|amazing|perfect}, I want it",
        ],
    ),
    (
        "int_es",
        "interested",
        "es",
        "pos",
        [
            "{sí|si|claro|dale}, me interesa {producto}",
            "quiero {producto}, {cómo pago|mándame info}?",
        ],
    ),
    (
        "int_pt",
        "interested",
        "pt",
        "pos",
        [
            "{sim|quero|opa}, tenho interesse n{o curso|o plano|a promoção}",
            "quero {produto}! {como faço|manda o link}",
        ],
    ),
    (
        "int_id_hi",
        "interested",
        "id",
        "pos",
        [
            "{mau|minat|boleh} kak, {produk} {masih ada|ready} kan?",
            "{wah|mantap}, saya mau {produk}",
        ],
    ),
    (
        "int_hi",
        "interested",
        "hi",
        "pos",
        [
            "{haan|ha|yes} {bhai|ji}, {cheez} chahiye",
            "{cheez} {accha|badhiya} hai, le lunga",
        ],
    ),
    # --- question --------------------------------------------------------------------------
    (
        "q_available",
        "question",
        "en",
        "neu",
        [
            "is {product} available in {black|size M|white|the large size}?",
            "do you have {product} in stock?",
        ],
    ),
    (
        "q_where_when",
        "question",
        "en",
        "neu",
        [
            "{hi, |hello, |}do you deliver to {city}?",
            "what are your opening hours on {day}?",
            "{hi |}how long does delivery to {city} take?",
        ],
    ),
    (
        "q_how",
        "question",
        "en",
        "neu",
        [
            "how do I {activate|use|cancel|renew} {product}?",
            "can I {pause|transfer|upgrade} {product} {later|next month}?",
        ],
    ),
    (
        "q_es_pt",
        "question",
        "es",
        "neu",
        [
            "¿{tienen|hay} {producto} en {talla L|negro|stock}?",
            "¿hacen envíos a {city}?",
        ],
    ),
    (
        "q_pt",
        "question",
        "pt",
        "neu",
        [
            "{vocês|vcs} {entregam|fazem entrega} em {city}?",
            "{o curso|o plano} tem certificado?",
        ],
    ),
    (
        "q_id",
        "question",
        "id",
        "neu",
        [
            "{produk} {ada ukuran L|bisa dikirim ke {city}} gak kak?",
            "{kak, |}buka jam berapa?",
        ],
    ),
    (
        "q_trick",
        "question",
        "en",
        "neu",
        [
            "how do I remove {the extra item|an item} from my cart?",
            "can I {cancel|change} my {order|booking} for {day}?",
            "what time does the shop near the bus stop close?",
        ],
    ),
    # --- pricing ---------------------------------------------------------------------------
    (
        "p_how_much",
        "pricing",
        "en",
        "neu",
        [
            "how much is {product}?",
            "what's the price of {product}",
            "{product} price?",
            "how much for {product} {per month|for 2 people|with delivery}?",
        ],
    ),
    (
        "p_discount",
        "pricing",
        "en",
        "neu",
        [
            "any discount on {product} {if I pay yearly|for students|for 3 units}?",
            "can you do a better price on {product}?",
        ],
    ),
    (
        "p_es",
        "pricing",
        "es",
        "neu",
        [
            "¿cuánto cuesta {producto}?",
            "{precio|valor} {del curso|de la membresía|del plan|de la promo}?",
        ],
    ),
    (
        "p_pt",
        "pricing",
        "pt",
        "neu",
        ["quanto custa {produto}?", "qual o valor d{o curso|o plano|a promoção}?"],
    ),
    (
        "p_fr_de",
        "pricing",
        "fr",
        "neu",
        ["combien coûte {produit} ?", "quel est le prix de {produit} ?"],
    ),
    ("p_de", "pricing", "de", "neu", ["was kostet {produkt}?", "wie teuer ist {produkt}?"]),
    (
        "p_hi",
        "pricing",
        "hi",
        "neu",
        ["{cheez} kitne ka hai?", "{cheez} ka price kya hai {bhai|ji}?"],
    ),
    ("p_id", "pricing", "id", "neu", ["harga {produk} berapa kak?", "{produk} berapaan kak?"]),
    # --- meeting_request -------------------------------------------------------------------
    (
        "m_call",
        "meeting_request",
        "en",
        "neu",
        [
            "can you call me {day} at {time}?",
            "{pls|please} call me {day} {time}",
            "give me a ring {day} around {time}",
        ],
    ),
    (
        "m_meet",
        "meeting_request",
        "en",
        "neu",
        [
            "can we {meet|do a demo|set up a call} on {day}?",
            "I'd like to book a {viewing|visit|consultation} for {day} at {time}",
        ],
    ),
    (
        "m_stop_by",
        "meeting_request",
        "en",
        "neu",
        [
            "I'll {stop by|swing by|drop by|pass by} {day} {around|at} {time}",
            "ok I'll stop by the {shop|showroom|office} {day}",
        ],
    ),
    (
        "m_es_pt",
        "meeting_request",
        "es",
        "neu",
        [
            "¿podemos {hablar|vernos} el {lunes|martes|viernes} a las {10|4}?",
            "llámame {mañana|hoy}",
        ],
    ),
    (
        "m_pt",
        "meeting_request",
        "pt",
        "neu",
        [
            "{pode|podem} me ligar {amanhã|hoje} às {10h|15h}?",
            "quero marcar uma visita {amanhã|sábado}",
        ],
    ),
    (
        "m_id_hi",
        "meeting_request",
        "id",
        "neu",
        [
            "bisa {telpon|ketemu} {besok|hari sabtu} jam {10|2} kak?",
        ],
    ),
    (
        "m_hi",
        "meeting_request",
        "hi",
        "neu",
        ["{kal|parso} {call|phone} karo {10|4} baje", "office aake milta hu {kal|monday}"],
    ),
    # --- not_interested --------------------------------------------------------------------
    (
        "ni_reason",
        "not_interested",
        "en",
        "neu",
        [
            "{no thanks|not interested|nah|thanks but no}, {maybe next year|too busy right now|"
            "not in my budget|we use another company}",
        ],
    ),
    (
        "ni_trick",
        "not_interested",
        "en",
        "neu",
        [
            "{don't|pls don't} stop the {deals|promos} for others lol, I'm just not interested in "
            "{product}",
            "not interested in {product}, but keep me posted on other offers",
        ],
    ),
    (
        "ni_es_pt",
        "not_interested",
        "es",
        "neu",
        ["no gracias, {ahora no|ya tengo uno|no lo necesito}"],
    ),
    (
        "ni_pt",
        "not_interested",
        "pt",
        "neu",
        ["não, obrigad{o|a}, {agora não|não preciso|já tenho}"],
    ),
    (
        "ni_id_hi",
        "not_interested",
        "id",
        "neu",
        ["{gak|nggak|tidak} dulu kak, {makasih|lagi gak butuh}"],
    ),
    (
        "ni_hi",
        "not_interested",
        "hi",
        "neu",
        ["{nahi|nai} {chahiye|chaiye} {bhai|ji}, {thanks|shukriya}"],
    ),
    (
        "ni_de_fr",
        "not_interested",
        "de",
        "neu",
        ["{nein danke|kein Bedarf}, {vielleicht später|zurzeit nicht}"],
    ),
    # --- opt_out (explicit requests to stop messages) --------------------------------------
    (
        "o_en_remove",
        "opt_out",
        "en",
        "neu",
        [
            "{please |pls |kindly |}{remove|delete|take} me {from|off} your {list|contact list|"
            "mailing list|database}",
        ],
    ),
    (
        "o_en_stop",
        "opt_out",
        "en",
        "neg",
        [
            "{please |pls |}stop {sending me|texting me|messaging me|sending} {these messages|this|"
            "promotions|offers}{| {emoji_neg}}",
        ],
    ),
    (
        "o_en_dont",
        "opt_out",
        "en",
        "neu",
        [
            "i {don't|do not|dont} want {to receive|to get|} {these|your|any more} messages "
            "{anymore|any longer|}",
            "{no more|stop the} {messages|texts|whatsapps} please",
        ],
    ),
    (
        "o_es_1",
        "opt_out",
        "es",
        "neu",
        [
            "{por favor |}no me {envíen|manden|mandes|envíes} más {mensajes|promociones|publicidad}",
        ],
    ),
    (
        "o_es_2",
        "opt_out",
        "es",
        "neg",
        [
            "{dejen|deja} de {enviarme|mandarme|escribirme} {mensajes|promociones|}",
            "{quiero darme|denme|dame} de baja {por favor|ya|}",
        ],
    ),
    (
        "o_pt_1",
        "opt_out",
        "pt",
        "neu",
        [
            "{por favor |}{pare|parem|para} de me {mandar|enviar} {mensagens|mensagem|promoções|msg}",
        ],
    ),
    (
        "o_pt_2",
        "opt_out",
        "pt",
        "neu",
        [
            "{me tira|me tirem|me remova|remove meu número} da {lista|sua lista} {por favor|pf|}",
            "não quero mais receber {mensagens|promoções|nada de vocês}",
        ],
    ),
    (
        "o_fr_1",
        "opt_out",
        "fr",
        "neu",
        [
            "{svp |}arrêtez de m'envoyer {des messages|vos promotions|ces messages}",
            "merci d'arrêter de m'envoyer {des messages|vos promotions}",
            "{retirez|supprimez|enlevez}-moi de votre liste {svp|merci|}",
        ],
    ),
    (
        "o_fr_2",
        "opt_out",
        "fr",
        "neu",
        [
            "je ne veux plus recevoir {vos messages|de messages|ces publicités}",
            "je {veux|voudrais} me désabonner {svp|merci|}",
        ],
    ),
    (
        "o_de_1",
        "opt_out",
        "de",
        "neu",
        [
            "{bitte |}keine {Nachrichten|Werbung|Angebote|Nachrichten von Ihnen} mehr{| bitte}",
            "ich möchte keine {Nachrichten|Werbung} mehr {erhalten|bekommen}",
        ],
    ),
    (
        "o_de_2",
        "opt_out",
        "de",
        "neu",
        [
            "{bitte |}{entfernen|löschen|streichen} Sie {mich|meine Nummer} aus Ihrer {Liste|Kartei}",
            "{bitte |}{abmelden|austragen}{| danke}",
        ],
    ),
    (
        "o_hi_1",
        "opt_out",
        "hi",
        "neu",
        [
            "{please |plz |}mujhe {message|msg|messages} mat {bhejo|karo|bhejna}{| yaar}",
            "{message|msg} band karo {please|bhai|}",
        ],
    ),
    (
        "o_hi_2",
        "opt_out",
        "hi",
        "neu",
        [
            "mera number {list se|aapki list se} {hata do|hatao|remove karo}",
            "{aage se|dobara} {message|msg} mat {bhejna|karna}",
        ],
    ),
    (
        "o_id_1",
        "opt_out",
        "id",
        "neu",
        [
            "{tolong |mohon |}jangan kirim {pesan|promo|chat} lagi{| ke nomor ini}",
            "{tolong |}berhenti kirim {pesan|promo|wa} ke saya",
        ],
    ),
    (
        "o_id_2",
        "opt_out",
        "id",
        "neu",
        [
            "{tolong |}hapus nomor saya dari {daftar|list} {kalian|kak|}",
            "saya {tidak|gak} mau {terima|menerima} pesan {promosi|dari kalian} lagi",
        ],
    ),
    # --- complaint -------------------------------------------------------------------------
    (
        "c_order",
        "complaint",
        "en",
        "neg",
        [
            "{my order|the package|my delivery|order {num}} {still hasn't arrived|arrived broken|"
            "is missing a part|came in the wrong colour}{|!!| {emoji_neg}| this is ridiculous}",
        ],
    ),
    (
        "c_charge",
        "complaint",
        "en",
        "neg",
        [
            "I was charged {twice|double|the wrong amount} for {product}{|, fix it| and nobody replies}",
            "{product} {stopped working|broke|keeps failing} after {2 days|a week|one use}",
        ],
    ),
    (
        "c_es_pt",
        "complaint",
        "es",
        "neg",
        [
            "{mi pedido|el paquete} {no ha llegado|llegó roto|llegó incompleto}{| {emoji_neg}}",
        ],
    ),
    (
        "c_pt",
        "complaint",
        "pt",
        "neg",
        ["{meu pedido|o produto} {não chegou|veio quebrado|veio errado} {ainda|}"],
    ),
    (
        "c_id",
        "complaint",
        "id",
        "neg",
        ["{pesanan|paket} saya {belum sampai|rusak|salah kirim} kak{| {emoji_neg}}"],
    ),
    (
        "c_hi",
        "complaint",
        "hi",
        "neg",
        ["mera {order|parcel} {abhi tak nahi aaya|toota hua aaya|galat aaya}"],
    ),
    (
        "c_de_fr",
        "complaint",
        "de",
        "neg",
        ["meine Bestellung ist {kaputt angekommen|nicht angekommen|unvollständig}"],
    ),
    (
        "c_fr",
        "complaint",
        "fr",
        "neg",
        ["ma commande {est arrivée cassée|n'est pas arrivée|est incomplète}"],
    ),
    # --- already_customer ------------------------------------------------------------------
    (
        "a_bought",
        "already_customer",
        "en",
        "neu",
        [
            "I already {bought|ordered|got} {product} {last week|yesterday|in March|a month ago}",
            "already {bought|ordered|have} {product}{|, thanks| {emoji_pos}}",
        ],
    ),
    (
        "a_member",
        "already_customer",
        "en",
        "neu",
        [
            "I'm already {a member|a customer|subscribed|on your list of clients|signed up}",
            "we already use {product}{| and we're happy}",
        ],
    ),
    (
        "a_es_pt",
        "already_customer",
        "es",
        "neu",
        ["ya {compré|tengo} {producto}{| gracias}", "ya soy {cliente|socio}"],
    ),
    (
        "a_pt",
        "already_customer",
        "pt",
        "neu",
        ["já {comprei|tenho} {produto}{| obrigado}", "já sou {cliente|aluno}"],
    ),
    (
        "a_id",
        "already_customer",
        "id",
        "neu",
        ["{sudah|udah} beli {produk} kak", "saya {sudah|udah} jadi member"],
    ),
    (
        "a_hi",
        "already_customer",
        "hi",
        "neu",
        ["{cheez} pehle hi le liya hai", "main already customer hu {bhai|ji}"],
    ),
    ("a_de_fr", "already_customer", "de", "neu", ["ich habe {produkt} schon {gekauft|bestellt}"]),
    (
        "a_fr",
        "already_customer",
        "fr",
        "neu",
        ["j'ai déjà {acheté|commandé} {produit}", "je suis déjà client{|e}"],
    ),
    # --- wrong_number ----------------------------------------------------------------------
    (
        "w_not_name",
        "wrong_number",
        "en",
        "neu",
        [
            "{sorry, |}wrong number, I'm not {name}",
            "this is not {name}'s number {anymore|}",
            "{name} doesn't use this number anymore",
            "I don't know {any|anyone called} {name}",
        ],
    ),
    ("w_es_pt", "wrong_number", "es", "neu", ["no soy {name}, {número equivocado|se equivocó}"]),
    ("w_pt", "wrong_number", "pt", "neu", ["aqui não é {o|a} {name}, {número errado|engano}"]),
    ("w_id", "wrong_number", "id", "neu", ["bukan {name} kak, salah {nomor|sambung}"]),
    (
        "w_hi",
        "wrong_number",
        "hi",
        "neu",
        ["ye {name} ka number nahi hai", "main {name} nahi hu, galat number"],
    ),
    ("w_de_fr", "wrong_number", "de", "neu", ["hier ist nicht {name}, falsche Nummer"]),
    (
        "w_fr",
        "wrong_number",
        "fr",
        "neu",
        ["je ne suis pas {name}, {mauvais numéro|erreur de numéro}"],
    ),
    # --- auto_reply ------------------------------------------------------------------------
    (
        "ar_away",
        "auto_reply",
        "en",
        "neu",
        [
            "Thank you for your message. I am {out of the office|on leave|travelling} until {day}. "
            "{I will reply when I return.|For urgent matters contact {name}.}",
        ],
    ),
    (
        "ar_business",
        "auto_reply",
        "en",
        "neu",
        [
            "Thanks for contacting {name}'s {Bakery|Salon|Garage|Clinic}! We are {closed now|away}. "
            "Our hours are {9am-5pm|10am-8pm} {Mon-Fri|Mon-Sat}.",
            "This is an automated {message|reply}. {We will respond within 24 hours.|Please do not reply.}",
        ],
    ),
    (
        "ar_es_pt",
        "auto_reply",
        "es",
        "neu",
        [
            "Gracias por escribir{nos|}. {En este momento no podemos atender|Estamos fuera de horario}"
            ", te responderemos {pronto|mañana}.",
        ],
    ),
    (
        "ar_pt",
        "auto_reply",
        "pt",
        "neu",
        [
            "Olá! Obrigado pela mensagem. {No momento estamos fechados|Estou de férias}, "
            "{retornaremos em breve|respondo na segunda}.",
        ],
    ),
    (
        "ar_id",
        "auto_reply",
        "id",
        "neu",
        [
            "Terima kasih sudah menghubungi {name} {Store|Laundry|Bakery}. "
            "{Kami akan segera membalas|Jam operasional 09.00-17.00}.",
        ],
    ),
    (
        "ar_de_fr",
        "auto_reply",
        "de",
        "neu",
        ["Danke für Ihre Nachricht. Ich bin bis {day} {im Urlaub|nicht erreichbar}."],
    ),
    (
        "ar_fr",
        "auto_reply",
        "fr",
        "neu",
        ["Merci pour votre message. {Je suis absent|Nous sommes fermés} jusqu'à {lundi|demain}."],
    ),
    # --- other -----------------------------------------------------------------------------
    (
        "ot_thanks",
        "other",
        "en",
        "pos",
        ["{thanks|thank you|thx|ty|cheers} {emoji_pos}", "{ok|okay} {thanks|thank you}!"],
    ),
    (
        "ot_greet",
        "other",
        "en",
        "neu",
        ["{good morning|hi|hello|hey} {name}", "{good night|gm|hiii}"],
    ),
    (
        "ot_media",
        "other",
        "en",
        "neu",
        ["{image|video|audio|sticker|GIF} omitted", "<Media omitted>"],
    ),
    (
        "ot_forward",
        "other",
        "en",
        "neu",
        [
            "I'll {forward|pass} this to my {boss|wife|partner|manager}",
            "let me ask {name} first",
        ],
    ),
    (
        "ot_trick",
        "other",
        "en",
        "neu",
        [
            "{waiting|standing} at the bus stop, {will reply later|read it later}",
            "{lol|haha} I can't stop laughing at the {video|ad}",
        ],
    ),
    ("ot_intl", "other", "es", "pos", ["{gracias|muchas gracias} {emoji_pos}"]),
    ("ot_pt", "other", "pt", "pos", ["{obrigado|obrigada|valeu} {emoji_pos}"]),
    ("ot_id", "other", "id", "pos", ["{makasih|terima kasih} kak {emoji_pos}"]),
    ("ot_hi", "other", "hi", "pos", ["{shukriya|thank you} {ji|bhai} {emoji_pos}"]),
]

# Second pass: every intent in every language, so language alone never predicts an intent.
FAMILIES += [
    (
        "int_fr",
        "interested",
        "fr",
        "pos",
        [
            "{oui|ouais|d'accord}, {produit} m'intéresse",
            "je veux bien {produit}, {envoyez les détails|comment on fait ?}",
        ],
    ),
    (
        "int_de",
        "interested",
        "de",
        "pos",
        [
            "{ja|gerne|klar}, {produkt} interessiert mich",
            "ich möchte {produkt} {bestellen|buchen}",
        ],
    ),
    (
        "int_en_2",
        "interested",
        "en",
        "pos",
        [
            "{can you|could you|pls} {reserve|hold|book} {product} for me?",
            "{love|like} {product}, {how do I order?|where do I sign up?|I'm in}",
        ],
    ),
    (
        "q_fr",
        "question",
        "fr",
        "neu",
        [
            "{produit} est {disponible en noir|livrable à {city}|garanti combien de temps} ?",
            "vous ouvrez à quelle heure {lundi|samedi|demain} ?",
        ],
    ),
    (
        "q_de",
        "question",
        "de",
        "neu",
        [
            "ist {produkt} {auch in Schwarz|in Größe M|sofort} verfügbar?",
            "haben Sie am {Montag|Samstag} geöffnet?",
        ],
    ),
    (
        "q_hi",
        "question",
        "hi",
        "neu",
        [
            "{cheez} {kab tak milega|kaise use karna hai|online milega}?",
            "{aapka shop|store} {kahan hai|kitne baje band hota hai}?",
        ],
    ),
    (
        "q_en_2",
        "question",
        "en",
        "neu",
        [
            "does {product} {include|come with} {a warranty|installation|a free trial}?",
            "is {product} {suitable for beginners|good for kids|available on weekends}?",
        ],
    ),
    (
        "p_en_2",
        "pricing",
        "en",
        "neu",
        [
            "{what do you charge|what's the fee|what's the rate} for {product}?",
            "send me {the prices|your price list|a quote} for {product}",
        ],
    ),
    ("p_es_2", "pricing", "es", "neu", ["¿{hay descuento|qué precio tiene} {producto}?"]),
    ("p_id_2", "pricing", "id", "neu", ["{produk} {ada diskon|harganya} {gak|berapa} kak?"]),
    (
        "m_fr",
        "meeting_request",
        "fr",
        "neu",
        [
            "{pouvez-vous|vous pouvez} m'appeler {demain|lundi|cet après-midi} ?",
            "je {voudrais|peux} {passer|prendre rendez-vous} {jeudi|samedi} à {10h|15h}",
        ],
    ),
    (
        "m_de",
        "meeting_request",
        "de",
        "neu",
        [
            "{können|könnten} Sie mich {morgen|am Montag} um {10|15} Uhr anrufen?",
            "ich möchte einen Termin am {Dienstag|Freitag} vereinbaren",
        ],
    ),
    (
        "m_en_2",
        "meeting_request",
        "en",
        "neu",
        [
            "{is|would} {day} at {time} {ok|work} for a {call|visit|demo}?",
            "{send me|share} a {booking link|calendar link} {for {day}|}",
        ],
    ),
    (
        "ni_fr",
        "not_interested",
        "fr",
        "neu",
        ["{non merci|pas intéressé}, {pas besoin|peut-être plus tard}"],
    ),
    (
        "ni_es_2",
        "not_interested",
        "es",
        "neu",
        ["{no me interesa|paso}, {gracias|ya tengo proveedor}"],
    ),
    (
        "ni_en_2",
        "not_interested",
        "en",
        "neu",
        [
            "{not really|no} {interested|keen} in {product}{, thanks|}",
            "{we're|I'm} {fine|good|sorted} {for now|thanks}, no need for {product}",
        ],
    ),
    (
        "o_en_2",
        "opt_out",
        "en",
        "neu",
        [
            "{please |}{unsubscribe|opt} me {out|from this list|from these messages}",
            "{don't|do not|never} {message|text|contact} me again{| please}",
        ],
    ),
    (
        "o_es_3",
        "opt_out",
        "es",
        "neu",
        ["{borren|eliminen|quiten} mi número de {su lista|la base de datos}"],
    ),
    (
        "o_pt_3",
        "opt_out",
        "pt",
        "neu",
        ["{não me mande|não me mandem|não enviem} mais {mensagens|promoções|nada}"],
    ),
    ("o_fr_3", "opt_out", "fr", "neu", ["ne m'{envoyez|écrivez} plus {de messages|rien|svp}"]),
    (
        "o_de_3",
        "opt_out",
        "de",
        "neu",
        ["{hören Sie auf|hört auf}, mir {zu schreiben|Nachrichten zu schicken}"],
    ),
    (
        "o_hi_3",
        "opt_out",
        "hi",
        "neu",
        ["{ye|aise} {messages|promotions} {band karo|mat bhejo} {mujhe|please}"],
    ),
    (
        "o_id_3",
        "opt_out",
        "id",
        "neu",
        ["{tolong |}{keluarkan|hapus} saya dari {daftar|grup} {promo|ini}"],
    ),
    (
        "c_en_2",
        "complaint",
        "en",
        "neg",
        [
            "{nobody|no one} {answered|replied to} my {email|calls|messages} about {product}{|!!}",
            "{the quality of|honestly} {product} is {terrible|awful|a joke}{| {emoji_neg}}",
        ],
    ),
    (
        "c_es_2",
        "complaint",
        "es",
        "neg",
        ["{me cobraron|pagué} {dos veces|de más} y {nadie responde|no hay solución}"],
    ),
    (
        "c_id_2",
        "complaint",
        "id",
        "neg",
        ["{udah|sudah} {transfer|bayar} tapi {belum dikirim|gak ada kabar} kak"],
    ),
    (
        "a_en_2",
        "already_customer",
        "en",
        "neu",
        [
            "{I've|we've} been {using|paying for} {product} {since last year|for months} already",
            "{already|just} {paid|renewed} for {product}{| this morning}",
        ],
    ),
    ("a_fr_2", "already_customer", "fr", "neu", ["j'ai déjà {un compte|un abonnement} chez vous"]),
    (
        "w_en_2",
        "wrong_number",
        "en",
        "neu",
        [
            "{you have|you've got} the wrong {number|person}, {no {name} here|I'm not {name}}",
            "{sorry|hey}, I {just got|recently got} this number, {name} isn't here",
        ],
    ),
    ("w_es_2", "wrong_number", "es", "neu", ["{aquí no hay|no conozco a} ningún {name}"]),
    ("w_id_2", "wrong_number", "id", "neu", ["saya gak kenal {name} kak"]),
    (
        "ar_en_2",
        "auto_reply",
        "en",
        "neu",
        [
            "Hi, this is {name}. I'm {away|busy|on holiday} {right now|until {day}}, I'll {reply|get back "
            "to you} {soon|when I'm back}.",
        ],
    ),
    (
        "ar_hi",
        "auto_reply",
        "hi",
        "neu",
        ["{abhi|main abhi} {busy|meeting me|drive kar raha} hu, baad me {reply|call} karunga"],
    ),
    (
        "ar_es_2",
        "auto_reply",
        "es",
        "neu",
        [
            "Respuesta automática: {estoy de vacaciones|fuera de la oficina} hasta el {lunes|día 10}."
        ],
    ),
    (
        "ot_fr_de",
        "other",
        "fr",
        "neu",
        ["{bonjour|salut|bonsoir} {name}", "{ok|d'accord} {merci|ça marche}"],
    ),
    (
        "ot_de",
        "other",
        "de",
        "neu",
        ["{hallo|guten Tag|moin} {name}", "{ok|alles klar} {danke|super}"],
    ),
    ("ot_es_2", "other", "es", "neu", ["{hola|buenas} {name}", "{jaja|jajaja} {ok|vale}"]),
    ("ot_emoji", "other", "und", "pos", ["{😊|🙂|👌|😄|🤗}", "{😊|🙂|👌}{🙏|😄|❤️}"]),
]

# Third pass: the intents the first model confused most (interested / question / pricing).
FAMILIES += [
    (
        "int_en_3",
        "interested",
        "en",
        "pos",
        [
            "{how do I|where can I|can I} {buy|order|sign up for|get} {product}{?| today?}",
            "{I'd like|I want|we'd like} to {buy|order|try|join} {product}",
        ],
    ),
    ("int_multi", "interested", "es", "pos", ["{quiero|me gustaría} {comprar|probar} {producto}"]),
    (
        "int_pt_2",
        "interested",
        "pt",
        "pos",
        ["{quero|gostaria de} {comprar|experimentar} {produto}"],
    ),
    (
        "q_en_3",
        "question",
        "en",
        "neu",
        [
            "{when|what time} does {product} {start|finish|open}?",
            "{can|could} I {bring a friend|come without booking|pay by card} {for {product}|}?",
        ],
    ),
    ("q_multi", "question", "pt", "neu", ["{quando|que horas} {começa|abre} {o curso|a loja}?"]),
    (
        "p_en_3",
        "pricing",
        "en",
        "neu",
        [
            "{is|how much is} {delivery|shipping|installation} {free|extra|included}?",
            "{total|final|full} price for {product} {with delivery|incl tax|for 2}?",
        ],
    ),
    ("p_multi", "pricing", "hi", "neu", ["{cheez} ka {total|final} {kitna|price} {hoga|hai}?"]),
    (
        "ot_later",
        "other",
        "en",
        "neu",
        [
            "{ok|okay|sure} {will check|I'll look|I'll read it} {later|tonight|after work}",
        ],
    ),
]
