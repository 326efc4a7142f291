"""Opt-out sentence rules by *family*, in all seven languages (see app.contacts.optout_phrases).

Pure data: `(language, rule name, pattern, negatable)` over text normalised by
`optout_phrases.normalize`. The families are the forms people use when they do not say "stop":
a data-protection request (erase my data), withdrawing consent, "block this number from your
system", "leave me alone with your ads", a threat to report further messages, "no need to
message me anymore", "remove it (this number) from your sends". Each still needs a verb AND
what it applies to (my data, my consent, this number, the messages).
"""

from __future__ import annotations

from app.contacts.optout_phrases_de import _DE_DET, _DE_FILL, _DE_MSG
from app.contacts.optout_phrases_romance import _ES_MSG

_EN_MSG = (
    r"(messages?|messaging|texts?|sms|whatsapps?|promotions?|promos?|offers?|ads|adverts?|spam|"
    r"marketing|broadcasts?|notifications)"
)
_PT_MSG = (
    r"(mensage(m|ns)|msgs?|promocoes|promocao|propagandas?|anuncios|ofertas|spam|notificacoes)"
)
_FR_MSG = r"(messages|msgs?|sms|pubs?|publicites?|promos?|promotions|offres|relances|spam|envois)"
_ID_MSG = r"(pesan|promo|promosi|chat|wa|sms|iklan|broadcast|spam|penawaran|notifikasi)(nya|2)?"
_HI_MSG = r"(ads|msgs?|messages?|promotions?|promos?|offers?|sms|spam)"
_HI_DO = r"(kar\s+do|kr\s+do|kardo|krdo|karo|kro|kijiye|kar\s+dijiye|karein|karen)"
# A payment's or a card's authorisation is not the messages' ("retiro mi autorización de débito")
_NOT_PAYMENT = (
    r"(?!\s+(de|del|do|da|du|para\s+o|para\s+el|pour\s+le)\s+(debito|cargo|pago|pagamento|cobro|"
    r"cobranca|tarjeta|cartao|carte|prelevement|paiement))"
)
# The data of an order or a card ("borren mis datos de envío viejos") is an account edit
_NOT_ORDER_DATA = (
    r"(?!\s+(de|del|do|da|dos|das)\s+(la\s+|o\s+|a\s+)?(tarjeta|cartao|envio|entrega|pago|"
    r"pagamento|pedido|cuenta|conta|factura|fatura))"
)

RULES: list[tuple[str, str, str, bool]] = [
    # Data protection (GDPR / RGPD / LGPD / DSGVO / UU PDP): erase my data. German is in
    # optout_phrases_de ("Löschung meiner Daten").
    (
        "en",
        "erase_my_data",
        r"\b(erase|erasure\s+of|delete|deletion\s+of|remove|removal\s+of|destroy)\s+(all\s+)?"
        r"(of\s+)?my\s+((personal|contact|stored|private)\s+){0,2}(data|information|info)\b",
        True,
    ),
    (
        "es",
        "borrar_mis_datos",
        r"\b((supresion|eliminacion|borrado|cancelacion)\s+de\s+(todos\s+)?mis|(borren|eliminen|"
        r"supriman|elimine|borre|suprima|borra|elimina|borrar|eliminar|suprimir)\s+(todos\s+)?"
        r"mis)\s+datos\b" + _NOT_ORDER_DATA,
        True,
    ),
    (
        "pt",
        "apagar_meus_dados",
        r"\b((exclusao|eliminacao|remocao|apagamento)\s+(de|dos)\s+(todos\s+os\s+)?|(excluam|"
        r"apaguem|removam|exclua|apague|remova|excluir|apagar|remover|deletem|deleta)\s+(todos\s+)?"
        r"(os\s+)?)meus\s+dados\b" + _NOT_ORDER_DATA,
        True,
    ),
    (
        "fr",
        "effacer_mes_donnees",
        r"\b(effacement|suppression)\s+(de\s+)?(toutes\s+)?mes\s+(donnees|coordonnees)\b",
        False,
    ),
    # Withdrawing consent ("I revoke my consent", "ich widerrufe meine Einwilligung")
    (
        "en",
        "withdraw_consent",
        r"\b(withdraw|withdrawing|revoke|revoking|retract|rescind)\s+((my|our|all|any)\s+)?"
        r"consent\b",
        True,
    ),
    (
        "es",
        "revoco_consentimiento",
        r"\b(revoco|retiro|revocar|retirar|revocamos|retiramos|anulo)\s+(mi|nuestro|el)\s+"
        r"(consentimiento|autorizacion|permiso)\b" + _NOT_PAYMENT,
        True,
    ),
    (
        "pt",
        "revogo_consentimento",
        r"\b(revogo|retiro|revogar|retirar|revogamos|retiramos)\s+(o\s+)?(meu|nosso)\s+"
        r"(consentimento|autorizacao)\b" + _NOT_PAYMENT,
        True,
    ),
    (
        "fr",
        "retire_consentement",
        r"(?<!ne )\b(retire|retirer|retirons|revoque|revoquer|revoquons)\s+(mon|notre)\s+"
        r"(consentement|autorisation|accord)\b" + _NOT_PAYMENT,
        False,
    ),
    (
        "de",
        "widerrufe_einwilligung",
        r"\b(widerrufe|widerrufen|ziehe|ziehen|widerruf)\s+(\w+\s+){0,3}(einwilligung|zustimmung|"
        r"einverstandniserklarung|einverstandnis|werbeeinwilligung)\b",
        False,
    ),
    (
        "id",
        "cabut_persetujuan",
        r"\b(mencabut|cabut|menarik|tarik)\s+(kembali\s+)?(persetujuan|izin|consent)\b"
        r"(?!\s+(transaksi|pembayaran|autodebet|debit))",
        False,
    ),
    (
        "hi",
        "consent_wapas",
        r"\b(consent|permission|ijazat|sahmati|anumati)\b.{0,15}\b(wapas|vapas|withdraw|revoke)\b",
        False,
    ),
    # "block this number from your system" (not "I blocked my card")
    (
        "en",
        "block_number",
        r"\bblock\s+(me|us|this\s+number|my\s+number|this\s+contact)\s+(from|in|on)\s+(your|ur|"
        r"the|all\s+your)\s+(system|database|list|lists|records|contacts|sends|broadcasts?|"
        r"marketing)\b",
        True,
    ),
    (
        "es",
        "bloqueen_numero",
        r"\bbloque(en|e|a|ar)(me|nos)?\s+((este|mi|el)\s+(numero|contacto|telefono)\s+)?(de|en)\s+"
        r"(su|sus|tu|tus|el|la)\s+(sistema|base|lista|envios|contactos|difusion)\b",
        True,
    ),
    (
        "pt",
        "bloqueiem_numero",
        r"\bbloque(iem|ie|ia|ar|iam)(\s+me)?\s+((esse|este|meu|o)\s+(numero|contato|telefone)\s+)?"
        r"(no|do|na|da|nos|dos)\s+(sistema|cadastro|lista|base|envios|contatos)\b",
        True,
    ),
    (
        "fr",
        "bloquez_numero",
        r"(?<!ne )\bbloque(z|r)?(\s+moi)?\s+((ce|mon)\s+numero\s+)?(de|dans|du|des)\s+(votre|vos|"
        r"ton|tes|la|le)\s+(systeme|base|liste|fichier|contacts|envois)\b",
        False,
    ),
    (
        "de",
        "nummer_sperren",
        r"\b(sperren|sperrt|sperr|blockieren|blockiert|blockier)\s+(sie\s+|ihr\s+)?(\w+\s+){0,2}"
        r"(meine\s+nummer|diese\s+nummer|mich)\b.{0,25}\b(system|datenbank|verteiler|liste)\w*|"
        r"\bnummer\b.{0,30}\b(system|datenbank|verteiler)\w*\s+(sperren|blockieren)\b",
        False,
    ),
    (
        "hi",
        "number_block",
        r"\b(ye|yeh|mera|is|ish)\s+(number|no|contact)\b.{0,30}\bblock\s+" + _HI_DO + r"\b"
        r"(?!\s+(mat|na|mt)\b)",
        False,
    ),
    (
        "id",
        "blokir_nomor",
        r"\b(blokir|block|blok)\s+(nomor|nomer|no|kontak)\w*\s+((saya|aku|ini|gue|gw)\s+)?"
        r"(dari|di|dr)\s+(sistem|database|daftar|list|broadcast)\w*",
        True,
    ),
    # "leave me alone with your ads" ("déjenme en paz con sus anuncios")
    (
        "en",
        "leave_me_alone_with",
        r"\b(leave|let)\s+(me|us)\s+(alone|be|in\s+peace)\s+(with|about)\s+((your|ur|these|those|"
        r"the|all\s+(your|these|the))\s+)?(\w+\s+)?" + _EN_MSG + r"\b",
        False,
    ),
    (
        "es",
        "dejenme_en_paz_con",
        r"\b(dejenme|dejame|dejennos|dejen|deja|dejeme)\s+(en\s+paz|tranquil[oa]s?)\s+con\s+"
        r"((sus|tus|los|las|tantos|tantas|estos|estas|tanto|tanta|el|la)\s+)?(\w+\s+)?"
        + _ES_MSG
        + r"\b",
        False,
    ),
    (
        "pt",
        "me_deixa_em_paz_com",
        r"\b(deixa|deixe|deixem|deixar)\s+(me\s+)?(em\s+paz|quiet[oa])\s+com\s+((esses|essas|"
        r"seus|suas|os|as|tanta|tantas|tanto|tantos|sua|seu|essa|esse)\s+)?" + _PT_MSG + r"\b",
        False,
    ),
    (
        "fr",
        "la_paix_avec",
        r"\b(foutez|fous|fichez|fiche|laissez|laisse|foutre|ficher)\s+(moi|nous)\s+(la\s+paix|"
        r"tranquilles?|en\s+paix)\s+avec\s+((vos|tes|ces|les|toutes\s+vos|tous\s+vos)\s+)?"
        + _FR_MSG
        + r"\b",
        False,
    ),
    # "lasst mich mit eurer Werbung in Ruhe" (the other order is optout_phrases_de.in_ruhe_mit)
    (
        "de",
        "mit_in_ruhe",
        r"\b(lass|lasst|lassen)\s+(sie\s+)?(mich|uns)\s+"
        + _DE_FILL
        + r"mit\s+("
        + _DE_DET
        + r"\s+)?"
        r"(\w+\s+)?" + _DE_MSG + r"\s+" + _DE_FILL + r"in\s+ruhe\b",
        False,
    ),
    (
        "hi",
        "pareshan_mat_karo",
        r"\b(pareshan|preshan|pareshaan|tang|disturb|irritate|bother)\s+(mat|na|mt)\s+(karo|kro|"
        r"kijiye|karna|karein)\b.{0,20}\b" + _HI_MSG + r"\b|\b" + _HI_MSG + r"\s+(se|bhej\s+ke|"
        r"bhejke|bhej\s+bhej\s+ke)\s+(pareshan|preshan|tang|disturb|irritate)\s+(mat|na|mt)\s+"
        r"(karo|kro|kijiye|karna|karein)\b",
        False,
    ),
    # "jangan ganggu saya lagi", "jangan ganggu saya dengan iklan" (not "jangan ganggu dulu,
    # saya lagi meeting")
    (
        "id",
        "jangan_ganggu",
        r"\b(jangan|jgn)\s+(ganggu|gangguin|mengganggu|diganggu|ganggu2)\s+((saya|aku|gue|gw|"
        r"kami)\s+)?((lagi|lg)\b(?!\s+(meeting|rapat|kerja|sibuk|tidur|makan|nyetir|di\w*))|"
        r"(dengan|dgn|pakai|pake|sama|pakek)\s+(\w+\s+)?" + _ID_MSG + r"\b)",
        False,
    ),
    # A threat to report further messages ("if you text me again I'll report you")
    (
        "en",
        "report_threat",
        r"\bif\s+((you|u|ya)\s+((keep|continue)\s+(text|messag|msg|contact|spam|send|writ|"
        r"whatsapp|call|bother)\w*|(text|messag|msg|contact|spam|send|writ|whatsapp|call)\w*\s+"
        r"(\w+\s+){0,3}(again|anymore|any\s+more))|(i|we)\s+(get|receive|see)\s+(one|1|another|"
        r"any)\s+(more\s+)?(\w+\s+)?" + _EN_MSG + r")\b.{0,40}\b(report\w*|sue|complain\w*|"
        r"lawyer|police|ftc|ico|ofcom)\b",
        False,
    ),
    (
        "es",
        "si_vuelven_denuncio",
        r"\bsi\s+(((me|nos)\s+)?(vuelven|vuelves|vuelve|siguen|sigues|sigue|continuan)\s+(a\s+)?"
        r"(escrib|mand|envi|contact|molest|llam)\w*|(me\s+)?(llega|llegan|mandan|envian|escriben)\s+"
        r"(otro|otra|un\s+solo|mas)\b)\b.{0,40}\b(denunci\w*|report\w*|profeco|queja|demand\w*)\b",
        False,
    ),
    (
        "pt",
        "se_mandarem_denuncio",
        r"\bse\s+((me\s+)?(mandarem|enviarem|mandar|enviar|ligarem|escreverem)\s+(\w+\s+){0,3}"
        r"(mais|de\s+novo|novamente)|(continuarem|insistirem)|(chegar|vier)\s+(mais\s+)?(uma|outra)"
        r"\s+mensagem)\b.{0,40}\b(denunci\w*|procon|reclam\w*|process\w*|anatel)\b",
        False,
    ),
    (
        "fr",
        "si_vous_continuez",
        r"\bsi\s+(vous\s+|tu\s+)?((continuez|continues|recommencez|recommences|insistez|insistes)|"
        r"(m\s*|me\s+)?(ecrivez|envoyez|ecris|envoies|contactez|relancez|recontactez)\s+(\w+\s+){0,3}"
        r"(encore|a\s+nouveau|de\s+nouveau))\b.{0,40}\b(signal\w*|cnil|plainte|denonc\w*|bloctel|"
        r"avocat)\b",
        False,
    ),
    (
        "de",
        "wenn_noch_melde",
        r"\bwenn\s+(\w+\s+){0,3}(noch|wieder|weiter|nochmal|nochmals|erneut)\s+(\w+\s+){0,3}"
        r"(nachricht\w*|werbung|sms|schreib\w*|schick\w*|kontaktier\w*|kommt|kommen)\b.{0,40}"
        r"\b(melde\s+ich\s+(sie|euch|dich|das)|verbraucherzentrale|anzeige|anwalt|abmahn\w*|"
        r"bundesnetzagentur|beschwer\w*|datenschutzbehorde|zeige\s+ich)\b",
        False,
    ),
    (
        "hi",
        "complaint_kar_dunga",
        r"\b(agar|agr|phir\s+se|fir\s+se|dobara|ek\s+aur)\b.{0,30}\b(message|msg|sms|spam)\b.{0,30}"
        r"\b(complaint|complain|report|shikayat|police|case)\b",
        False,
    ),
    (
        "id",
        "kalau_masih_lapor",
        r"\b(kalau|kalo|klo|jika)\s+((\w+\s+){0,2}(masih|terus)\s+(\w+\s+){0,2}(kirim|ngirim|"
        r"mengirim|chat|spam|hubungi|menghubungi|sms|wa)\w*|(\w+\s+){0,2}(kirim|ngirim|mengirim|chat|"
        r"spam|hubungi|menghubungi|sms|wa)\w*\s+(\w+\s+){0,2}(lagi|lg))\b.{0,30}"
        r"\b(lapor\w*|dilapor\w*|polisikan|report|adukan|tuntut)\b",
        False,
    ),
    # "I'm not a customer anymore, no need to message me" / "não precisa mais me mandar nada"
    (
        "en",
        "no_need_to_message",
        r"\bno\s+need\s+to\s+(keep\s+|continue\s+)?(text|messag|msg|contact|whatsapp|writ|spam)"
        r"\w*\s+(me|us|this\s+number)\s+(anymore|any\s+more|any\s+longer|again)\b|"
        r"\b(no\s+longer\s+(a\s+|your\s+)?(customer|client|member|student|subscriber|patient)|"
        r"not\s+(a\s+|your\s+)?(customer|client|member|student|subscriber|patient)\s+(anymore|"
        r"any\s+more|any\s+longer))\b.{0,40}\b(no\s+need\s+to|dont|don\s+t|do\s+not|stop)\s+"
        r"(\w+\s+)?(text|messag|msg|contact|writ|send|whatsapp|spam)\w*",
        False,
    ),
    (
        "es",
        "no_hace_falta_que",
        r"\bno\s+(hace\s+falta|es\s+necesario)\s+que\s+(me|nos)\s+(sigan\s+(escribiendo|mandando|"
        r"enviando|contactando)|(escriban|manden|envien|contacten)\s+mas)\b|\b(ya\s+no\s+soy|no\s+soy"
        r"\s+mas)\s+(cliente|alumn[oa]|soci[oa]|miembro|paciente)\b.{0,40}\b(no\s+(me|nos)|dejen\s+"
        r"de)\s+(\w+\s+)?(escrib|mand|envi|contact)\w*",
        False,
    ),
    (
        "pt",
        "nao_precisa_mais",
        r"\bnao\s+precisam?\s+(mais\s+(me\s+)?(mandar|enviar|contatar|escrever)|(me\s+)?(mandar|"
        r"enviar|contatar|escrever)\s+mais)\b",
        False,
    ),
    (
        "fr",
        "inutile_de_m_ecrire",
        r"\b(inutile|plus\s+besoin|pas\s+la\s+peine|pas\s+besoin\s+de\s+continuer)\s+(de|d|a)\s+"
        r"(continuer\s+(a|de)\s+)?(m\s*|me\s+|nous\s+)?(ecrire|contacter|solliciter|harceler|"
        r"envoyer\s+(des|vos|plus|de)\b)",
        False,
    ),
    (
        "hi",
        "zarurat_nahi",
        r"\b" + _HI_MSG + r"\s+(bhejne|karne)\s+ki\s+(zarurat|zaroorat|jarurat|jaroorat|need)\s+"
        r"(nahi|nahin|nhi|nai)\b",
        False,
    ),
    # "this number belongs to my mother, remove it from your sends"
    (
        "en",
        "remove_it_from_your",
        r"\b(remove|delete|erase|take)\s+(it|this\s+number|that\s+number|the\s+number)\s+(from|off|"
        r"out\s+of)\s+(your|ur|all\s+your)\s+((mailing|contact|broadcast|marketing|whatsapp)\s+)?"
        r"(list|lists|sends|system|database|broadcasts?|contacts|group|marketing)\b",
        True,
    ),
    (
        "es",
        "quitenlo_de",
        r"\b(quitenlo|borrenlo|eliminenlo|saquenlo|quitalo|borralo|eliminalo|sacalo|retirenlo|"
        r"retiralo)\s+(de|del)\s+((este|esta|su|sus|la|el|tu|tus|los|las)\s+)?(grupo|lista|listas|"
        r"difusion|envios|contactos|base|sistema)\b",
        True,
    ),
    (
        "fr",
        "sortez_moi_du",
        r"(?<!ne )(?<!pas )\b(sortez|sors|sortir|virez|vire|virer|retirez|retire|enlevez|enleve|"
        r"supprimez|supprime|effacez|otez)\s+(moi|nous|le|la|ce\s+numero|mon\s+numero)\s+(du|des|"
        r"de\s+ce|de\s+cette|de\s+la|de\s+vos|de\s+votre|de\s+tes|de\s+ta|de\s+l)\s+(groupe|liste|"
        r"listes|diffusion|envois|fichier|fichiers|base|contacts|newsletter|boucle)\b",
        False,
    ),
    # "take me out of the group", "i want out of this list" (take_me_off/remove_me cover more)
    (
        "en",
        "want_out_of_list",
        r"\b(i|we)\s+(want|wanna|need|would\s+like)\s+(out|off)\s+(of\s+)?(this|your|ur|the|that)\s+"
        r"((mailing|contact|broadcast|whatsapp|marketing)\s+)?(list|group|broadcast|chat)\b",
        True,
    ),
    (
        "es",
        "saquenme_del_grupo",
        r"\b(saquenme|sacame|sacadme|quitenme|quitame|eliminenme|eliminame|borrenme|borrame|"
        r"retirenme|retirame|me\s+(saquen|quiten|eliminen|borren|retiren|saca|quita|elimina|borra|"
        r"retira))\s+(de|del)\s+((este|esta|su|sus|la|el|tu|los|las)\s+)?(grupo|grupos|lista|"
        r"listas|difusion|envios|contactos|base)\b",
        True,
    ),
    (
        "pt",
        "me_tira_do_grupo",
        r"\b(me\s+(tira|tire|tirem|remove|remova|removam|exclui|exclua|excluam|retira|retire|"
        r"retirem)|(tirem|tire|tira|remova|removam|exclua|excluam|retire|retirem)\s+me)\s+(do|da|"
        r"desse|dessa|deste|desta|dos|das)\s+(grupo|grupos|lista|listas|transmissao|envios|contatos|"
        r"cadastro)\b",
        True,
    ),
    # "nomorku tolong dicoret dari daftar", "tolong dikeluarkan dari daftar" (a request: "kok
    # nomor saya dihapus dari grup?" is a question)
    (
        "id",
        "tolong_dicoret",
        r"\b(nomor|nomer)\w*\s+((saya|aku|ini|gue|gw)\s+)?(tolong|mohon|harap)\s+(dicoret|"
        r"dikeluarkan|dikeluarin|dihapus|diapus|diremove)\b|\b(tolong|mohon|minta|harap)\s+"
        r"((saya|aku)\s+)?(dicoret|dikeluarkan|dikeluarin|dihapus|diapus|diremove|keluarkan|"
        r"keluarin|coret)\s+(dari|dr)\s+(daftar|list|grup|group|broadcast|kontak|data|database|sistem)\b",
        True,
    ),
]
