"""Opt-out sentence rules for Spanish, Portuguese and French (see app.contacts.optout_phrases).

Pure data: `(language, rule name, pattern, negatable)` over text normalised by
`optout_phrases.normalize` (lower case, accents stripped, punctuation as spaces). Each rule
needs an opt-out verb AND what it applies to (messages, me, my number, the list).
"""

from __future__ import annotations

RULES: list[tuple[str, str, str, bool]] = [
    # Spanish
    (
        "es",
        "no_envien",
        r"\bno\s+(me\s+)?(envien|envies|manden|mandes|escriban|escribas|contacten|"
        r"contactes|molesten)\s+(mas|" + r"mensajes|promociones|publicidad|nada)\b",
        False,
    ),
    # "ya no me escriban": "ya no" (no longer) makes the bare verb an opt-out
    (
        "es",
        "ya_no_escriban",
        r"\bya\s+no\s+(me\s+|nos\s+)?(envien|envies|manden|mandes|escriban|escribas|"
        r"contacten|contactes|molesten|molestes|llamen)\b"
        r"(?!\s+(por|al|a|en)\b)",  # "ya no me llamen al fijo": another channel, not opt-out
        False,
    ),
    (
        "es",
        "dejen_de",
        r"\b(dejen|deja|dejar|paren)\s+de\s+(enviarme|mandarme|escribirme|"
        r"contactarme|molestarme|enviar|mandar|escribir)\b",
        True,
    ),
    (
        "es",
        "basta_de",
        r"\bbasta\s+de\s+((tantos|tantas|sus|tus|estos|estas|los|las)\s+)?(mensajes|"
        r"mensajitos|promociones|promos|publicidad|spam|whatsapps?|sms)\b"
        r"(?!\s+de\s+(error|confirmacion|entrega|pedido|pago))",  # the app's or an order's
        False,
    ),
    ("es", "de_baja", r"\b(dar|darme|dame|denme|deme|me\s+den|me\s+des|doy)\s+de\s+baja\b", False),
    ("es", "desuscribir", r"\bdesu(b|bs|s)cri(b|p)\w*", False),
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
        r"\b(no|ya\s+no)\s+quiero\s+(recibir\s+)?(mas\s+)?((sus|tus|estos|estas)\s+)?(mensajes|"
        r"promociones|promos|publicidad|ofertas|sms|whatsapps|notificaciones)\b",
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
        r"\b(pare|parem|para|parar)\s+de\s+(me\s+)?(mandar|enviar|mandando|enviando|"
        r"encher)\b",
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
        r"\bnao\s+(me\s+)?(mande|mandem|envie|enviem|manda|mandar|enviar)\s+mais\b",
        False,
    ),
    ("pt", "nao_quero", r"\bnao\s+(quero|desejo)\s+(mais\s+)?receber\b", False),
    (
        "pt",
        "chega_de",
        r"\bchega\s+de\s+((tanta|tantas|essa|essas|sua|suas)\s+)?(mensage(m|ns)|msgs?|"
        r"promocao|promocoes|propagandas?|spam)\b",
        False,
    ),
    # "cancela o envio dessas mensagens" ("cancela o envio do pedido" is an order: no match)
    (
        "pt",
        "cancela_mensagens",
        r"\bcancel(a|e|em|ar)\s+(o\s+envio\s+)?((de|das|dessas|destas|as|essas|estas|suas)\s+)?"
        r"(mensagens|msgs|propagandas)\b(?!\s+(de|da|do)\s+(confirmacao|pedido|entrega|pagamento))",
        False,
    ),
    (
        "pt",
        "me_tira",
        r"\b(tira|tire|tirem|tirar|remova|remove|removam|remover|exclua|excluam|exclui|"
        r"excluir|apague|apaguem|apaga|deleta|deletem|retire)\b.{0,25}\b(lista|numero|contato|"
        r"cadastro)\b",
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
    # "ne plus recevoir vos SMS", "comment je fais pour ne plus recevoir ça ?"
    (
        "fr",
        "ne_plus_recevoir",
        r"\bne\s+plus\s+recevoir\s+((vos|ces|les|des|de|tes)\s+)?(messages|sms|pubs?|"
        r"publicites?|promos?|promotions|offres|newsletters?)\b(?!\s+de\s+(livraison|commande))|"
        r"\bcomment\s+(je\s+fais|faire|on\s+fait|puis\s+je|je\s+peux)\s+pour\s+ne\s+plus\s+recevoir\b",
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
    (
        "fr",
        "numero_supprimer",
        r"\b((ou|comment)\s+(avez\s+vous|vous\s+avez|as\s+tu|tu\s+as)\s+(eu|trouve|obtenu|"
        r"recupere|pris)|qui\s+vous\s+a\s+donne)\s+mon\s+(numero|contact|telephone)\b.{0,40}"
        r"(?<!ne )(?<!ne le )(?<!ne la )(?<!pas )\b(supprim|effac|retir|enlev)(ez|e|er)\b",
        False,
    ),
]
