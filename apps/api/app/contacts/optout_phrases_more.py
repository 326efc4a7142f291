"""More opt-out sentence families, in all seven languages (see app.contacts.optout_phrases).

Pure data: `(language, rule name, pattern, negatable)` over text normalised by
`optout_phrases.normalize`. The families: formal letters ("I hereby request that you cease all
further communications", "solicito que cesen todo envío", "ich fordere Sie auf, jegliche
Zusendung einzustellen", "mohon tidak lagi mengirimkan", "koi bhi message na bheja jaye"),
"I would like to stop receiving (notifications)", "I no longer wish to receive", "don't send
me any more marketing", "cut it out with the messages" / "lâchez-moi avec vos pubs",
"stop/stell these messages", requests for the unsubscription ("solicito la baja", "ersuche um
Abmeldung"), "remove my contact from your database" in the subjunctive of a polite request.
Each still needs a verb AND what it applies to (the messages, me, my number, the list).
"""

from __future__ import annotations

from app.contacts.optout_phrases_de import _DE_DET, _DE_FILL, _DE_MSG
from app.contacts.optout_phrases_romance import _ES_MSG

_EN_MSG = (
    r"(messages?|messaging|msgs?|texts?|sms|whatsapps?|promotions?|promos?|offers?|ads|adverts?|"
    r"spam|marketing|broadcasts?|notifications|updates|alerts|newsletters?|communications?|"
    r"emails|correspondence)"
)
# An order's, a delivery's or a booking's notifications are not the marketing
_EN_NOT_ORDER = (
    r"(?!\s+(for|about|on|of)\s+(my\s+|the\s+|this\s+|each\s+|every\s+)?(order|delivery|"
    r"parcel|package|booking|appointment|payment|account|card)\w*)"
)
_PT_MSG = (
    r"(mensage(m|ns)|msgs?|promocoes|promocao|propagandas?|publicidade|anuncios|ofertas|spam|"
    r"notificacoes|comunicacoes|sms)"
)
_ES_NOT_ORDER = r"(?!\s+(de|del)\s+(la\s+|mi\s+|su\s+)?(pedido|envio|entrega|compra|pago|cita))"
_PT_NOT_ORDER = r"(?!\s+(de|da|do)\s+(meu\s+|minha\s+)?(pedido|entrega|compra|pagamento|encomenda))"
_FR_MSG = (
    r"(messages|msgs?|sms|pubs?|publicites?|promos?|promotions|offres|relances|spam|"
    r"notifications|newsletters?|communications|sollicitations)"
)
_FR_NOT_ORDER = r"(?!\s+(de|du|des)\s+(ma\s+|mon\s+)?(livraison|commande|colis|paiement))"
_ID_MSG = (
    r"(pesan|psn|promo|promosi|iklan|broadcast|spam|penawaran|notifikasi|sms|informasi|info)"
    r"(nya|2)?"
)
_HI_MSG = r"(ads|msgs?|messages?|promotions?|promos?|sms|spam|notifications?|marketing)"
# "unsubscribing" from a class or a plan ("solicito la baja del seguro") is not the messages
_ES_NOT_SERVICE = (
    r"(?!\s+(\w+\s+)?(de|del|a)\s+(la\s+|el\s+|mi\s+|mis\s+|su\s+)?(clase|curso|taller|gimnasio|"
    r"membresia|natacion|seguro|plan|linea|contrato|servicio|cuenta|tarjeta|hij|espos|marido)\w*)"
)

RULES: list[tuple[str, str, str, bool]] = [
    # Formal letters: "I hereby request that you cease all further communications"
    (
        "en",
        "cease_all_communications",
        r"\b(cease|discontinue|stop|halt|terminate|end)\s+(sending\s+)?(all|any)\s+(further\s+|"
        r"future\s+)?(communications?|correspondence|contact|messaging|messages|marketing|texts|"
        r"promotional\s+\w+)\b|\brefrain\s+from\s+(any\s+further\s+|further\s+)?(contacting|"
        r"messaging|texting|sending|communicating|contact)\b",
        True,
    ),
    (
        "es",
        "cesen_todo_envio",
        r"\b(cesen|cese|cesar|cesa|suspendan|suspenda|detengan|interrumpan)\s+(de\s+)?(todo|toda|"
        r"todos|todas|cualquier|el|la|los|las|sus)\s+(\w+\s+){0,2}?(envio|envios|comunicacion|"
        r"comunicaciones|mensajes|contacto|publicidad|promociones)\b"
        + _ES_NOT_ORDER
        + r"|\b(abstenganse|abstengase|se\s+abstengan)\s+de\s+(enviar|mandar|contactar|escribir)",
        True,
    ),
    (
        "pt",
        "cessem_o_envio",
        r"\b(cessem|cesse|cessar|suspendam|suspenda|interrompam|interrompa)\s+(o|os|todo|todos|"
        r"qualquer|as|a)\s+(\w+\s+){0,2}?(envio|envios|comunicacao|comunicacoes|contato|contacto|"
        r"mensagens|publicidade)\b(?!\s+(de|da|do)\s+(meu\s+|minha\s+)?(pedido|entrega|encomenda|"
        r"compra|produto))|\b(abstenham|abstenha)\s+se\s+de\s+(me\s+)?(enviar|mandar|contactar|"
        r"contatar|escrever)",
        True,
    ),
    (
        "fr",
        "arret_de_tout_envoi",
        r"\b(arret|fin|cessation|suspension|interruption)\s+(de|a|des|d)\s+(tout\s+envoi|toute\s+"
        r"communication|toute\s+sollicitation|tous\s+(les\s+)?envois|vos\s+envois|ces\s+envois|"
        r"(vos\s+|ces\s+|les\s+)?envois?\s+de\s+(messages|sms|publicit\w*|promo\w*))\b"
        r"|\b(abstenez|abstiens)\s+(vous|toi)\s+de\s+(m\s*|me\s+|nous\s+)?(envoyer|ecrire|contacter|"
        r"solliciter|relancer)",
        False,
    ),
    # "ich fordere Sie auf, jegliche Zusendung einzustellen", "unterlassen Sie weitere
    # Kontaktaufnahmen", "Stellt die Nachrichten ein"
    (
        "de",
        "zusendung_einstellen",
        r"\b(jegliche|jede|samtliche|alle|weitere|weiteren|kunftige|die)\s+(weiteren?\s+)?"
        r"(zusendung\w*|kontaktaufnahme\w*|kommunikation|werbung|nachrichten|werbemitteilungen|"
        r"werbenachrichten)\b.{0,50}\b(einzustellen|einstellen|zu\s+unterlassen)\b"
        r"|\bunterlassen\s+(sie\s+|ihr\s+)?" + _DE_FILL + r"(jegliche|jede|samtliche|alle|weitere|"
        r"weiteren|kunftige|die)\s+(weiteren?\s+)?(zusendung\w*|kontaktaufnahme\w*|kommunikation|"
        r"werbung|nachrichten|anrufe|sms|werbemitteilungen|anschreiben)\b"
        r"|\b(stellt|stellen\s+sie|stell)\s+" + _DE_FILL + r"(" + _DE_DET + r"\s+|die\s+|alle\s+)?"
        r"(\w+\s+)?(nachrichten|werbung|zusendungen|sms|mails|newsletter|werbemitteilungen)\s+"
        + _DE_FILL
        + r"ein\b",
        False,
    ),
    # Swiss German "schicked mir kei Nachrichte meh"
    (
        "de",
        "kei_nachrichte_meh",
        r"\bkei\s+(nachrichte|nachrichten|werbig|werbung|sms|mails|angebot\w*|whatsapp\w*|spam)\s+"
        r"(\w+\s+){0,2}(meh|mehr)\b",
        False,
    ),
    # "Ich ersuche um Abmeldung von Ihren Werbemitteilungen", "melden Sie mich ab", "bitte aus
    # Ihrer Kartei löschen" (a sentence with no other object)
    (
        "de",
        "um_abmeldung",
        r"\b(ersuche|bitte|beantrage|verlange|fordere|wunsche|mochte)\b.{0,20}\b(abmeldung|"
        r"austragung)\b(\s*(\||$)|\s+(\w+\s+)?(von|aus|vom|bei)\s+(\w+\s+){0,2}(werb\w*|"
        r"newsletter\w*|verteiler\w*|nachricht\w*|mitteilung\w*|liste|whatsapp\w*|sms|mails?|"
        r"angebot\w*|ihnen|euch|dir))"
        r"|\b(melden|meldet|meld)\s+(sie\s+|ihr\s+)?(mich|uns)\s+" + _DE_FILL + r"ab\b"
        r"|(^|\|\s)((bitte|und|sofort|einfach)\s+)*(mich\s+|meine\s+nummer\s+)?aus\s+(ihrer|eurer|"
        r"der|dem|ihrem|eurem|deiner|deinem)\s+(kartei|kundenkartei|datei|kundendatei|datenbank|"
        r"system|verteiler|kontaktliste|liste)\s+" + _DE_FILL + r"(loschen|entfernen|streichen|"
        r"nehmen|austragen)\b",
        True,  # reads the clauses (German has no negator here)
    ),
    # "Solicito la baja inmediata de sus comunicaciones" (not "la baja del seguro")
    (
        "es",
        "solicito_la_baja",
        r"\b(solicito|solicitamos|pido|pedimos|quiero|queremos|exijo|requiero|deseo|quisiera|"
        r"tramiten|gestionen|procesen)\s+(la|mi|nuestra)\s+baja\b" + _ES_NOT_SERVICE,
        False,
    ),
    # "I would like to stop receiving notifications", "I no longer wish to receive these"
    (
        "en",
        "like_to_stop_receiving",
        r"\b(i|we)\s+(would|d|should)\s+(like|prefer|love|want)\s+to\s+(stop|no\s+longer|not)\s+"
        r"(receiving|getting|receive|get)\s+((these|those|the|your|ur|any|all|such|more|further|"
        r"this|whatsapp)\s+){0,2}(\w+\s+)?"
        + _EN_MSG
        + r"\b"
        + _EN_NOT_ORDER
        + r"|\b(no\s+longer|do\s+not|dont|don\s+t)\s+(wish|want|desire|care)\s+to\s+"
        r"(receive|get|be\s+sent)\s+((any|these|those|your|ur|further|such|more|this)\s+){0,2}(\w+\s+)?"
        + _EN_MSG
        + r"\b"
        + _EN_NOT_ORDER,
        True,
    ),
    (
        "es",
        "dejar_de_recibir",
        r"\b(quisiera|quiero|queremos|quisieramos|deseo|deseamos|desearia|gustaria|prefiero|"
        r"preferiria|necesito|puedo|podria|pueden|podrian)\s+(dejar\s+de\s+recibir|ya\s+no\s+recibir|"
        r"no\s+recibir\s+mas)\s+((sus|tus|estos|estas|los|las|mas|esta|este|el|la)\s+)?(\w+\s+)?"
        + _ES_MSG
        + r"\b"
        + _ES_NOT_ORDER
        + r"|\bno\s+(deseo|quiero|pretendo|deseamos|queremos)\s+(seguir|continuar)\s+recibiendo\s+"
        r"((sus|tus|estos|estas|los|las|mas)\s+)?(\w+\s+)?" + _ES_MSG + r"\b",
        True,
    ),
    (
        "pt",
        "deixar_de_receber",
        r"\b(gostaria|gostariamos|quero|queria|queremos|prefiro|preferia|desejo|preciso|posso)\s+"
        r"(de\s+)?(deixar\s+de\s+receber|nao\s+receber\s+mais|parar\s+de\s+receber)\s+((as|os|"
        r"essas|esses|suas|seus|mais|estas|vossas)\s+)?(\w+\s+)?"
        + _PT_MSG
        + r"\b"
        + _PT_NOT_ORDER
        + r"|\bnao\s+(desejo|quero|pretendo|queremos)\s+(continuar\s+a\s+receber|continuar\s+"
        r"recebendo|seguir\s+recebendo)\s+((as|os|essas|esses|suas|seus|mais|vossas)\s+)?(\w+\s+)?"
        + _PT_MSG
        + r"\b",
        True,
    ),
    (
        "fr",
        "aimerais_ne_plus_recevoir",
        r"\b(voudrais|aimerais|souhaite|souhaiterais|veux|prefere|prefererais|voudrions|aimerions|"
        r"souhaitons|voulons)\s+(arreter\s+de|cesser\s+de|ne\s+plus)\s+recevoir\s+((les|vos|ces|"
        r"des|de|tes)\s+)?(\w+\s+)?" + _FR_MSG + r"\b" + _FR_NOT_ORDER,
        False,
    ),
    (
        "hi",
        "receive_nahi_karna",
        r"\b" + _HI_MSG + r"\s+(receive|lena|paana|milna|lene)\s+(nahi|nhi|nahin|nai)\s+(chahta|"
        r"chahti|chahte|chahiye|chaahta|chaahti)\b|\b(whatsapp|store|shop|aapke|apke|aapki|apki)"
        r"\s+(\w+\s+)?(notifications?|updates|ads|marketing)\s+(nahi|nahin|nhi|nai)\s+(chahiye|"
        r"chaiye|chahie)\b",
        False,
    ),
    (
        "id",
        "tidak_ingin_menerima",
        r"\b(tidak|tdk|gak|ga|gk|nggak|ngga|enggak|ogah)\s+(mau|ingin|pengen|pingin|pgn)\s+(lagi\s+)?"
        r"(terima|menerima|dapat|dapet|dpt|dikirimi|dikirimin)\s+(\w+\s+){0,2}?" + _ID_MSG + r"\b"
        r"(?!\s+(pesanan|order|pengiriman|paket))",
        False,
    ),
    # "Please don't send me any more marketing on WhatsApp"
    (
        "en",
        "dont_send_any_more",
        r"\b(dont|don\s+t|do\s+not|never|pls\s+no|please\s+no)\s+send\s+(me|us|this\s+number)\s+"
        r"(any\s+more|anymore|any\s+further|further|no\s+more|more)\s+(of\s+(your|these|the)\s+)?"
        r"(\w+\s+)?" + _EN_MSG + r"\b",
        False,
    ),
    # "cut it out with the messages", "knock it off with the texts"
    (
        "en",
        "cut_it_out_with",
        r"\b(cut|knock|quit|pack)\s+it\s+(out|off|in)?\s*(with|on)\s+((the|these|those|your|ur|all"
        r"(\s+(the|these|your))?)\s+)?(\w+\s+)?" + _EN_MSG + r"\b|\bgive\s+it\s+a\s+rest\s+with\s+"
        r"((the|these|those|your|ur)\s+)?(\w+\s+)?" + _EN_MSG + r"\b",
        False,
    ),
    (
        "es",
        "cortenla_con",
        r"\b(cortenla|cortala|corten|parenle|parale|bajenle|bajale)\s+(ya\s+)?(con|a)\s+((los|las|"
        r"sus|tus|tantos|tantas|estos|estas|el|la|tanto|tanta)\s+)?(\w+\s+)?" + _ES_MSG + r"\b",
        False,
    ),
    (
        "pt",
        "corta_essa_com",
        r"\b(corta|cortem|larga|larguem|larguem\s+do\s+meu\s+pe|sai|saiam)\s+(essa\s+|do\s+meu\s+pe\s+"
        r")?com\s+((as|os|essas|esses|suas|seus|tanta|tantas)\s+)?" + _PT_MSG + r"\b",
        False,
    ),
    (
        "fr",
        "lachez_moi_avec",
        r"\b(lachez|lache|lachez\s+nous|oubliez|oublie)\s+(moi|nous)?\s*(la\s+grappe\s+)?avec\s+"
        r"((vos|tes|ces|les|toutes\s+vos|tous\s+vos)\s+)?" + _FR_MSG + r"\b",
        False,
    ),
    (
        "de",
        "verschont_mich_mit",
        r"\b(verschont|verschonen|verschon)\s+(sie\s+)?(mich|uns)\s+"
        + _DE_FILL
        + r"mit\s+("
        + _DE_DET
        + r"\s+)?(\w+\s+)?"
        + _DE_MSG
        + r"\b",
        False,
    ),
    (
        "id",
        "udahan_spamnya",
        r"\b(udahan|sudahi|udahin|cukupin)\s+((dong|deh|ya|ah|aja|lah|plis|pls|kak|min|sis|gan)\s+){0,2}"
        r"(kirim\w*\s+)?(spam|iklan|promo|promosi|broadcast|pesan|psn|bc)(nya|2)?\b"
        r"|\b(udah|sudah|cukup)\s+((dong|deh|plis|pls|ya|lah)\s+)+(spam|iklan|broadcast|promo|"
        r"promosi)(nya|2)?\b|\bcukup\s+(spam|iklan|promo|promosi|broadcast|pesan)(nya|2)\b",
        False,
    ),
    # "Stoppez ces messages", "paren los mensajes", "ye messages roko" (the last sentence after
    # a threat to block, in any language)
    (
        "fr",
        "stoppez_ces",
        r"(?<!\bn )\b(stoppez|stoppe|stopper|stop)\s+(vos|tes|les|ces|tous\s+ces|toutes\s+ces|"
        r"toutes\s+vos|tous\s+vos)\s+" + _FR_MSG + r"\b" + _FR_NOT_ORDER,
        False,
    ),
    (
        "es",
        "paren_los_mensajes",
        r"\b(paren|detengan|frenen|corten|parad)\s+(ya\s+)?(los|las|sus|estos|estas|tantos|tantas|"
        r"todos\s+los|todas\s+las|todo\s+el|el)\s+(\w+\s+)?" + _ES_MSG + r"\b"
        r"(?!\s+(de|del)\s+(la\s+)?(pedido|entrega|confirmacion|pago|cita|compra))",
        True,
    ),
    (
        "pt",
        "parem_as_mensagens",
        r"\b(parem|pare|interrompam|travem|bloqueiem)\s+(ja\s+)?(as|os|essas|esses|estas|estes|suas|"
        r"seus|todas\s+as|com\s+isso\s+de)\s+(\w+\s+)?" + _PT_MSG + r"\b" + _PT_NOT_ORDER,
        True,
    ),
    (
        "hi",
        "messages_roko",
        r"\b" + _HI_MSG + r"\s+((bhejna|bhejne|aana)\s+)?(roko|rokiye|rok\s+do|rokdo|rok\s+dijiye|"
        r"rok\s+lo|band\s+karwao|band\s+karvao|band\s+kiye\s+jaye\w*|band\s+kiya\s+jaye)\b"
        r"(?!\s+(mat|na|mt)\b)",
        False,
    ),
    # "koi bhi message na bheja jaye", "is number par message na kiya jaye" (a formal passive)
    (
        "hi",
        "na_bheja_jaye",
        r"\b" + _HI_MSG + r"\b.{0,20}\b(na|mat|nahi|nhi)\s+(bheja|bheje|bhejha|kiya|kiye)\s+"
        r"(jaye|jaaye|jae|jayen|jaayen|jaye\w*)\b",
        False,
    ),
    # "Mera number kisne diya aapko? Abhi ke abhi hatao" (asks where the number came from)
    (
        "hi",
        "number_kisne_diya",
        r"\b(mera|meri|mere|ye|yeh)\s+(number|no|contact)\s+(kisne|kis\s+ne|kaise|kahan\s+se|"
        r"kaha\s+se)\s+(diya|di|mila|liya|paya)\b.{0,40}(?<!mat )(?<!na )(?<!mt )(?<!nahi )"
        r"\b(delete|remove|hatao|hata\s+do|hata\s+dijiye|hataiye|nikalo)\b",
        False,
    ),
    # "Queria que retirassem o meu contacto da vossa base de dados", "quisiera que borraran mi
    # número de su lista" (the polite subjunctive)
    (
        "pt",
        "que_retirassem",
        r"\b(retirassem|removessem|apagassem|eliminassem|tirassem|excluissem|apaguem|retirem|"
        r"eliminem)\s+(o\s+)?(meu|o\s+meu|este|esse)\s+(contacto|contato|numero|nome|telefone|"
        r"registo|registro)\s+(da|do|de|das|dos)\s+(vossa|vossas|sua|suas|vosso|seu)?\s*(base|lista|"
        r"listas|cadastro|sistema|ficheiro|registos|contactos|envios)\b",
        True,
    ),
    (
        "es",
        "que_borraran",
        r"\b(borraran|eliminaran|quitaran|sacaran|retiraran|borrasen|eliminasen|quitasen|"
        r"sacasen)\s+(mi|este)\s+(numero|contacto|telefono|celular|nombre)\s+(de|del)\s+((su|sus|"
        r"la|el|tu|tus)\s+)?(lista|listas|base|sistema|difusion|envios|contactos|registro)\b",
        True,
    ),
    # "penghentian pengiriman pesan promosi", "mohon hentikan pengiriman pesan"
    (
        "id",
        "penghentian_pengiriman",
        r"\b(penghentian|pemberhentian|hentikan|dihentikan|berhentikan|stop|setop|stopkan)\s+"
        r"(pengiriman|kiriman)\s+(\w+\s+){0,2}?" + _ID_MSG + r"\b",
        True,
    ),
]
