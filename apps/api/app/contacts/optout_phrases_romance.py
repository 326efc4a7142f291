"""Opt-out sentence rules for Spanish, Portuguese and French (see app.contacts.optout_phrases).

Pure data: `(language, rule name, pattern, negatable)` over text normalised by
`optout_phrases.normalize` (lower case, accents stripped, punctuation as spaces). Each rule
needs an opt-out verb AND what it applies to (messages, me, my number, the list).
"""

from __future__ import annotations

# Someone else or a class being unenrolled ("dar de baja a mi hijo de la clase", "désinscrire
# mon fils du cours"): not about the messages. Read right after the verb.
_ES_OTHER = (
    r"(?!\s+(a\s+)?(mi|mis|su|sus|nuestro|nuestra|nuestros|nuestras)\s+(hij|nin|espos|marido|"
    r"mujer|herman|madre|padre|mama|papa|sobrin|niet|alumn)\w*)(?!\s+(de|del)\s+(la\s+)?(clase|"
    r"curso|taller|gimnasio|membresia|natacion|seguro|plan))"
)
_FR_OTHER = (
    r"(?!\s+(mon|ma|mes|notre|nos|son|sa|ses)\s+(fils|fille|filles|enfant|enfants|mari|femme|"
    r"epou\w*|frere|soeur|mere|pere|neveu|niece|eleve)\b)(?!\s+(du|de\s+la|des|de\s+l)\s+"
    r"(cours|classe|atelier|stage|club|salle|seance|activite))"
)
_ES_MSG = (
    r"(mensajes|mensajitos|msjs?|promociones|promos|publicidad|ofertas|spam|whatsapps?|sms|"
    r"anuncios|notificaciones)"
)

RULES: list[tuple[str, str, str, bool]] = [
    # Spanish
    (
        "es",
        "no_envien",
        r"\bno\s+(me\s+|nos\s+)?(envien|envies|manden|mandes|escriban|escribas|contacten|"
        r"contactes|molesten|enviaran|mandaran|escribieran|contactaran|enviasen|mandasen)\s+"
        r"(mas|mensajes|promociones|publicidad|nada)\b(?!\s+(tarde|temprano|tardecito))",
        False,
    ),
    # "ya no me escriban": "ya no" (no longer) makes the bare verb an opt-out
    (
        "es",
        "ya_no_escriban",
        r"\bya\s+no\s+(me\s+|m\s+|nos\s+)?(envien|envies|manden|mandes|escriban|escribas|"
        r"contacten|contactes|molesten|molestes|llamen)\b"
        r"(?!\s+(por|al|a|en)\b)",  # "ya no me llamen al fijo": another channel, not opt-out
        False,
    ),
    (
        "es",
        "dejen_de",
        r"\b(dejen|deja|dejar|paren)\s+(de|d)\s+(enviarme|mandarme|escribirme|"
        r"contactarme|molestarme|enviar|mandar|escribir|molestar\s+con|spamearme|spamear|"
        r"llamarme|contactar|contactarnos|escribirnos|mandarnos|enviarnos)\b"
        # "¿cómo hago para que dejen de llegarme estos mensajes?"
        r"|\b(dejen|deje|dejar)\s+de\s+llegar(me|nos)?\s+((estos|estas|los|las|sus|tantos|tantas)\s+)?"
        + _ES_MSG
        + r"\b",
        True,
    ),
    # "paren ya con los mensajes", "ya basta con las promos"
    (
        "es",
        "paren_con",
        r"\b(paren|parale|parenle|basta|para\s+ya)\s+(ya\s+)?con\s+((los|las|sus|tus|tantos|"
        r"tantas|estos|estas|el|la|tanto|tanta)\s+)?" + _ES_MSG + r"\b",
        False,
    ),
    # "NO MÁS MENSAJES" (not "no más mensajes de error")
    (
        "es",
        "no_mas",
        r"\bno\s+mas\s+" + _ES_MSG + r"\b(?!\s+de\s+(error|confirmacion|entrega|pedido|pago))",
        False,
    ),
    # "no me vuelvan a contactar" ("no me vuelvan a llamar al fijo": another channel)
    (
        "es",
        "no_vuelvan",
        r"\bno\s+(me|nos)\s+(vuelvan|vuelvas|vuelva)\s+a\s+(contactar|escribir|enviar\s+nada|"
        r"mandar\s+nada|enviar\s+mensajes|mandar\s+mensajes|llamar|molestar)\b"
        r"(?!\s+(por|al|a|en)\b)",
        False,
    ),
    # "no quiero que me sigan enviando mensajes", "no autorizo que me escriban"
    (
        "es",
        "no_quiero_que",
        r"\bno\s+(quiero|deseo|autorizo|acepto|consiento)\s+que\s+(me|nos)\s+(sigan\s+|vuelvan\s+"
        r"a\s+)?(envien|manden|escriban|contacten|molesten|enviando|mandando|escribiendo|"
        r"contactando|molestando|enviar|mandar|escribir|contactar)\b(?!\s+(por|al|a|en)\b)",
        False,
    ),
    # "cancelen los mensajes promocionales" (not "cancelar las notificaciones del pedido")
    (
        "es",
        "cancelen_mensajes",
        r"\bcancel(en|a|ar|e)\s+((los|las|sus|estos|estas|todos\s+los|el\s+envio\s+de)\s+)?"
        r"(mensajes|publicidad|promociones|sms|whatsapps)\b(?!\s+(de|del|de\s+la)\s+"
        r"(confirmacion|pedido|entrega|pago|error|compra|cita|envio))",
        False,
    ),
    (
        "es",
        "basta_de",
        r"\bbasta\s+de\s+((tantos|tantas|sus|tus|estos|estas|los|las)\s+)?(mensajes|"
        r"mensajitos|promociones|promos|publicidad|spam|whatsapps?|sms|anuncios)\b"
        r"(?!\s+de\s+(error|confirmacion|entrega|pedido|pago))",  # the app's or an order's
        False,
    ),
    # "denme de baja", "den de baja este número" (not "dar de baja a mi hijo de la clase")
    (
        "es",
        "de_baja",
        r"\b(dar|darme|dame|denme|deme|me\s+den|me\s+des|doy|den|denle)\s+de\s+baja\b" + _ES_OTHER,
        False,
    ),
    ("es", "desuscribir", r"\bdesu(b|bs|s)cri(b|p)\w*\b" + _ES_OTHER, False),
    (
        "es",
        "borrenme",
        r"\b(borren|borrenme|borrame|borra|borre|eliminen|elimina|elimine|eliminame|eliminenme|"
        r"quiten|quite|quitenme|quitame|saquen|saque|saquenme|sacame|retiren|retire|retirenme|"
        r"retirame|retira)\b.{0,30}\b(lista|numero|base\s+de\s+datos|contacto|datos|envios|"
        r"difusion)\b"
        # "borren mis datos de envío viejos" edits an address
        r"(?!\s+(de|del)\s+(la\s+)?(tarjeta|envio|entrega|pago|pedido|cuenta|factura))",
        True,  # "no me borren de la lista"
    ),
    # "elimínenme", "bórrenme ya": erase ME, said alone (not "bórrame el pedido")
    (
        "es",
        "eliminenme",
        r"\b(eliminenme|borrenme|eliminame|borrame|eliminadme|borradme|retirenme|quitenme|desapuntenme|"
        r"desapuntame)\b(?!\s+(el|la|los|las|ese|esa|eso|esto|este|esta|un|una|de\s+la\s+"
        r"(clase|cita|reserva)|del\s+(curso|pedido|grupo\s+de\s+la\s+clase))\b)",
        False,
    ),
    (
        "es",
        "no_quiero",
        r"\b(no|ya\s+no)\s+(quiero|kiero|deseo)\s+(recibir\s+)?(mas\s+)?((sus|tus|estos|estas)\s+)?"
        r"(mensajes|msjs?|promociones|promos|publicidad|ofertas|sms|whatsapps|notificaciones)\b",
        False,
    ),
    # "prefiero no recibir más promociones", "¿cómo hago para no recibir más mensajes?"
    (
        "es",
        "no_recibir_mas",
        r"\b(prefiero|preferimos|preferiria|para)\s+no\s+recibir\s+(mas\s+)?((sus|tus|estos|estas)"
        r"\s+)?" + _ES_MSG + r"\b|\bno\s+recibir\s+mas\s+" + _ES_MSG + r"\b",
        False,
    ),
    # "¿de dónde sacaron mi número? bórrenlo": asks where the number came from, then deletes it
    (
        "es",
        "numero_borrar",
        r"\b(de\s+donde|donde|como|quien\s+(les|te|le)\s+(dio|paso))\s+(\w+\s+){0,2}mi\s+"
        r"(numero|contacto|telefono|celular)\b.{0,40}(?<!no )(?<!no lo )(?<!no la )(?<!nunca )"
        r"\b(borr(en|a|e|ar)\w*|elimin(en|a|e|ar)\w*)",
        False,
    ),
    # Portuguese
    (
        "pt",
        "pare_de",
        r"\b(pare|parem|para|parar|deixem|deixe|deixa)\s+de\s+(me\s+)?(mandar|enviar|mandando|enviando|"
        r"encher|spam|spammar|perturbar|incomodar|importunar|contatar|contactar|escrever|ligar)\b",
        True,
    ),
    # "podem parar com as ofertas", "parem com essas mensagens"
    (
        "pt",
        "parar_com",
        r"\b(pare|parem|para|parar)\s+com\s+((as|os|essas|esses|estas|estes|suas|seus|tanta|tantas|"
        r"tantos)\s+)?(mensage(m|ns)|msgs?|promocoes|propagandas?|anuncios|ofertas|spam)\b",
        True,
    ),
    # "como faço pra parar de receber essas mensagens?" (asking how, or wanting to, stop them)
    (
        "pt",
        "parar_de_receber",
        r"\b(como\s+(eu\s+)?(faco|faz|posso|consigo)(\s+(pra|para|p))?|quero|queria|"
        r"gostaria\s+de|preciso)\s+parar\s+de\s+receber\s+((essas|estas|as|suas|tuas|mais)\s+)?"
        r"(mensage(m|ns)|msgs?|promocoes|propagandas?|notificacoes|spam|isso|isto)\b",
        True,
    ),
    (
        "pt",
        "nao_mande",
        r"\bnao\s+(me\s+)?(mande|mandem|envie|enviem|manda|mandar|enviar|contate|contatem|"
        r"procure|procurem|escreva|escrevam|perturbe|perturbem|incomode|incomodem)\s+mais\b",
        False,
    ),
    ("pt", "nao_entre_em_contato", r"\bnao\s+(entre|entrem|entra)\s+mais\s+em\s+contato\b", False),
    ("pt", "nao_quero", r"\bnao\s+(quero|desejo)\s+(mais\s+)?receber\b", False),
    # "não quero mais mensagem de vocês", "bloqueiem o envio de mensagens, não quero mais"
    (
        "pt",
        "nao_quero_mais",
        r"\b(nao|n|nn|naum)\s+(quero|desejo)\s+mais\s+(nenhuma\s+)?(mensage(m|ns)|msgs?|promocoes|promocao|"
        r"propagandas?|spam|nada\s+de\s+voces)\b|\b(bloque|suspend|interromp)\w*\s+(o\s+)?envio\s+"
        r"(de|das|dessas|destas)\s+(mensagens|msgs|propagandas|promocoes)\b",
        False,
    ),
    (
        "pt",
        "chega_de",
        r"\bchega\s+de\s+((tanta|tantas|essa|essas|sua|suas|tantos|esses)\s+)?(mensage(m|ns)|msgs?|"
        r"promocao|promocoes|propagandas?|spam|anuncios)\b",
        False,
    ),
    # "cancela o envio dessas mensagens" ("cancela o envio do pedido" is an order: no match)
    (
        "pt",
        "cancela_mensagens",
        r"\bcancel(a|e|em|ar)\s+((o\s+)?(envio|recebimento)\s+|(a\s+|minha\s+)?inscricao\s+)?"
        r"((de|das|dessas|destas|as|essas|estas|suas|nas|na|da)\s+)?"
        r"(mensagens|msgs|propagandas|promocoes|lista)\b"
        r"(?!\s+(de|da|do)\s+(confirmacao|pedido|entrega|pagamento|espera))",
        False,
    ),
    (
        "pt",
        "me_tira",
        r"\b(tira|tire|tirem|tirar|remova|remove|removam|remover|exclua|excluam|exclui|"
        r"excluir|apague|apaguem|apaga|deleta|deletem|retire|retirar|retirem|retira)\b.{0,25}"
        r"\b(lista|numero|contato|cadastro)\b",
        True,  # "não me tirem da lista"
    ),
    # "me remove agora", "me exclui daí pfv" (not "me tira uma dúvida", "não me remove")
    (
        "pt",
        "me_remove",
        r"(?<!nao )\bme\s+(remove|remova|removam|remover|tira|tire|tirem|tirar|exclui|exclua|"
        r"excluam|excluir|apaga|apague|apaguem|deleta|deletem|descadastra|descadastre|retira|"
        r"retire|retirem)\b(?=\s*(agora|ja|dai|daqui|disso|dessa|desse|desta|deste|por\s+favor|"
        r"pfv|pf|pls|favor|logo|$))",
        False,
    ),
    ("pt", "descadastrar", r"\bdescadastr\w*", False),
    ("pt", "sair_da_lista", r"\bsair\s+da\s+lista\b", False),
    (
        "pt",
        "numero_apagar",
        r"\b(de\s+onde|onde|como|quem\s+(te|lhe|lhes|vos)\s+(deu|passou))\s+(\w+\s+){0,3}meu\s+"
        r"(numero|contato|telefone|celular|zap)\b.{0,40}(?<!nao )(?<!precisa )(?<!nunca )"
        r"\b(apag(a|ue|uem|ar)|exclu(i|a|am|ir)|"
        r"remov(e|a|am|er)|delet(a|e|em|ar))\b",
        False,
    ),
    # French
    (
        "fr",
        "arretez",
        r"\b(d?arr?ett?(ez|e|er|es)|cess(ez|e|er))\s+(de\s+|d\s+)?(m\s*|me\s+|nous\s+)?(envoyer|"
        r"ecrire|contacter|harceler|spammer|appeler|solliciter|texter|relancer|deranger|ecoeurer)",
        False,
    ),
    # "arrêtez vos relances", "cessez tout envoi de messages" (not "n'arrêtez pas les promos",
    # "arrête les notifications de livraison")
    (
        "fr",
        "arretez_les",
        r"(?<!n )\b(d?arret(ez|e|er)|cess(ez|e|er))\s+((vos|tes|les|ces|tout|tous|toutes|le|la|ce|"
        r"cette|ton|votre)\s+)?"
        r"((vos|les|ces)\s+)?(envois?\s+(de|des)\s+)?(messages|msgs?|sms|relances|pubs?|publicites|"
        r"promos?|promotions|spams?|envois|notifications)\b(?!\s+(de|du|des)\s+(livraison|"
        r"commande|colis|paiement|rendez\s+vous))",
        False,
    ),
    ("fr", "desabonner", r"\b(desabonn|desinscri|desinscrip)\w*\b" + _FR_OTHER, False),
    (
        "fr",
        "retirez_moi",
        r"(?<!pas )(?<!ne )(?<!jamais )\b(retirez|supprimez|enlevez|effacez|otez|retire|supprime|"
        r"enleve|oubliez|oublie|supprimer|retirer|effacer|enlever)\s+(moi|mon\s+numero|mon\s+contact|"
        r"mes\s+coordonnees|mes\s+donnees)\b(?!\s+de\s+(commande|suivi|dossier|client|facture|"
        r"reservation|la\s+commande))",
        False,
    ),
    # "pouvez-vous me retirer de la liste d'envoi ?" (a "liste d'attente" is a waitlist)
    (
        "fr",
        "me_retirer_de",
        r"\b(me|nous)\s+(retirer|supprimer|enlever|effacer|desinscrire|radier|sortir)\s+(de|des|"
        r"du)\s+((la|vos|votre|ces|cette|tes|ta)\s+)?(liste|listes|fichier|fichiers|base|contacts|"
        r"diffusion|envois|newsletter)\b",
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
        r"\bne\s+plus\s+((m\s*|me\s+|nous\s+)?(envoyer|ecrire|contacter|appeler|solliciter)|"
        r"etre\s+(contacte|contactee|contactes|sollicite|sollicitee|derange|derangee)\w*)\b",
        False,
    ),
    # "ne plus recevoir vos SMS", "comment je fais pour ne plus recevoir ça ?"
    (
        "fr",
        "ne_plus_recevoir",
        r"\bne\s+plus\s+recevoir\s+((vos|ces|les|des|de|tes|ce\s+genre\s+de|ce\s+type\s+de)\s+)?(messages|sms|pubs?|"
        r"publicites?|promos?|promotions|offres|newsletters?)\b(?!\s+de\s+(livraison|commande))|"
        r"\bcomment\s+(je\s+fais|faire|on\s+fait|puis\s+je|je\s+peux)\s+pour\s+ne\s+plus\s+recevoir\b",
        False,
    ),
    (
        "fr",
        "ne_veux_plus",
        r"\bje\s+ne\s+(veux|souhaite|desire)\s+plus\s+(rien\s+)?(recevoir|etre\s+contacte|"
        r"de\s+messages|etre\s+sollicite)",
        False,
    ),
    # "plus de pubs svp", "laissez-moi tranquille, plus de messages" (a sentence ending the
    # reply or with svp/merci: "plus de promos ?" asks for more; reads the clauses)
    (
        "fr",
        "plus_de_messages",
        r"\bplus\s+de\s+(messages|msgs?|sms|pubs?|publicites?|promotions|relances|spam)\s+(\|\s+)?"
        r"(svp|merci|s\s+il|stp)\b|(^|\|\s)((donc|alors)\s+)?plus\s+de\s+(messages|msgs?|sms|pubs?|"
        r"publicites?|promos?|promotions|relances|spam)\s*$",
        True,
    ),
    # "ça suffit les messages", "assez avec vos relances"; "j'veux plus de vos msg" (the
    # dropped "ne" of speech, only with "vos/tes" and messages: "je veux plus de promos" wants more)
    (
        "fr",
        "ca_suffit",
        r"\b(ca\s+suffit|assez|c\s+est\s+bon)\s+(avec\s+|de\s+)?((les|vos|tes|ces)\s+)?(messages|"
        r"msgs?|sms|pubs?|relances|promos?|spam)\b|\b(jveux|j\s+veux|jveu|j\s+veu)\s+plus\s+de\s+"
        r"(vos|tes)\s+(messages|msgs?|sms|relances|spam|pubs?)\b",
        False,
    ),
    # "vous pouvez me retirer" ending the reply; "marre de vos pubs"; "pas de messages svp"
    (
        "fr",
        "pouvez_me_retirer",
        r"\b(pouvez|pourriez|peux|pourrais|merci\s+de)\s+(vous\s+)?(me|nous)\s+(retirer|desinscrire|"
        r"supprimer|radier|enlever)(\s+(svp|merci|s\s+il\s+vous\s+plait|stp))?$",
        False,
    ),
    (
        "fr",
        "marre_de",
        r"\b(marre|ras\s+le\s+bol)\s+(de|des|d)\s+((vos|tes|ces|tous\s+ces|toutes\s+ces|toutes\s+vos|"
        r"tous\s+vos)\s+)?(pubs?|messages|msgs?|sms|relances|promos?|spam|offres|publicites?)\b",
        False,
    ),
    (
        "fr",
        "pas_de_messages_svp",
        r"(^|\|\s)pas\s+de\s+(messages|msgs?|sms|pubs?|publicites?|promos?|relances|spam)\s+(\|\s+)?"
        r"(svp|merci|stp|s\s+il)\b",
        True,
    ),
    (
        "fr",
        "numero_supprimer",
        r"\b((ou|comment)\s+(avez\s+vous|vous\s+avez|as\s+tu|tu\s+as)\s+(eu|trouve|obtenu|"
        r"recupere|pris)|qui\s+vous\s+a\s+donne)\s+mon\s+(numero|contact|telephone)\b.{0,40}"
        r"(?<!ne )(?<!ne le )(?<!ne la )(?<!pas )\b(supprim|effac|retir|enlev)(ez|e|er)\b",
        False,
    ),
]
