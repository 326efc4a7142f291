"""Opt-out sentence rules for German (see app.contacts.optout_phrases).

Pure data: `(language, rule name, pattern, negatable)` over text normalised by
`optout_phrases.normalize` (lower case, accents stripped, punctuation as spaces: "Löschung" ->
"loschung", "Broadcast-Liste" -> "broadcast liste"). Each rule needs an opt-out verb AND what
it applies to (messages, me, my number/data, the list).
"""

from __future__ import annotations

# What the messages are ("keine Werbung mehr", "aufhören mit den Nachrichten")
_DE_MSG = (
    r"(nachrichten|nachricht|werbung|werbenachrichten|angebote|angeboten|sms|messages|msgs?|"
    r"whatsapps?|mails|newsletter|spam)"
)
_DE_DET = (
    r"(dem|den|der|diesem|diesen|dieser|ihrem|ihren|ihrer|eurem|euren|eurer|deinem|deinen|"
    r"deiner|dem\s+ganzen)"
)
# The list one is on: "aus der Broadcast-Liste", "aus dem Verteiler" (a "Warteliste" is one
# word, so it is not "liste")
_DE_LIST = (
    r"(((broadcast|whatsapp|mailing|kontakt|kunden|verteiler|werbe|sms|e\s+mail|email)\s+)?"
    r"(liste|verteiler|verteilerliste|kontaktliste|mailingliste|kundenliste|newsletter|"
    r"broadcast|broadcastliste|gruppe|whatsapp\s+gruppe)|(\w+\s+)?(alerts|benachrichtigungen))\b"
)
_DE_FILL = r"((bitte|sofort|jetzt|endlich|umgehend|einfach|auch|hier|doch|mal|ab\s+sofort)\s+)*"

RULES: list[tuple[str, str, str, bool]] = [
    ("de", "keine_mehr", r"\bkeine\s+" + _DE_MSG + r"\b.{0,30}\bmehr\b", False),
    # "abmelden" needs "mich" or the list: "mich vom Kurs abmelden" is not about messages.
    # A bare "Abmelden!" is a SEGMENT_WORDS keyword.
    (
        "de",
        "abmelden",
        r"\b(mich|uns)\s+((bitte|jetzt|sofort|hier|davon|endlich|gerne?|auch)\s+)*"
        r"(abmelden|austragen)\b|\b(vom|von|aus)\s+((dem|der|den|ihrem|ihrer|eurem|eurer|"
        r"diesem|dieser)\s+)?(newsletter|verteiler|verteilerliste|liste|kontaktliste|"
        r"mailingliste|nachrichten|whatsapp\w*|broadcast\w*|werbung|sms)\b.{0,20}"
        r"\b(abmelden|austragen)\b|\b(newsletter|nachrichten|werbung|sms|whatsapps?|angebote|"
        r"mails)\s+((bitte|sofort|jetzt)\s+)*abbestellen\b",
        False,
    ),
    (
        "de",
        "entfernen_sie",
        r"\b(nehmen|streichen|loschen|entfernen|nimm|losche|entferne|loscht|entfernt|streicht|"
        r"streich)\b.{0,15}"
        r"\b(mich|meine\s+nummer|meine\s+daten|meinen\s+kontakt)\b",
        False,
    ),
    # "trag mich aus der Liste aus", "nehmt mich aus dem Verteiler raus", "könnten Sie mich
    # bitte aus der Broadcast-Liste nehmen": me, out of the list (whatever the verb)
    (
        "de",
        "mich_aus_der_liste",
        r"\b(mich|uns|meine\s+nummer)\s+"
        + _DE_FILL
        + r"(aus|von)\s+"
        + _DE_DET
        + r"\s+"
        + _DE_LIST,
        False,
    ),
    # "ich will raus aus der Liste"
    (
        "de",
        "raus_aus_liste",
        r"\braus\s+aus\s+(der|dem|ihrer|eurer|dieser|diesem|ihrem|eurem)\s+(liste|verteiler|"
        r"verteilerliste|kontaktliste|mailingliste|newsletter)\b",
        False,
    ),
    # "hört auf, mir zu schreiben", "hört endlich auf mich zuzuspammen"
    (
        "de",
        "horen_auf",
        r"\b(horen|hort|hor)\s+(sie\s+|ihr\s+)?" + _DE_FILL + r"auf\b.{0,30}"
        r"\b(schreiben|schicken|senden|kontaktieren|anrufen|nachrichten|zuzuspammen|"
        r"anzuschreiben|zuzuschicken|zuzusenden|anzurufen|zu\s+(spammen|nerven|belastigen|schiken)|"
        r"nachrichen)\b",
        False,
    ),
    # "hört endlich auf mit dem Spam", "sofort aufhören mit den Nachrichten" (not "hört bloß
    # nicht auf mit den Angeboten")
    (
        "de",
        "horen_auf_mit",
        r"(\b(horen|hort|hor)\s+(sie\s+|ihr\s+)?" + _DE_FILL + r"auf|(?<!nicht )\baufhoren)"
        r"\s+mit\s+(" + _DE_DET + r"\s+)?" + _DE_MSG + r"\b",
        False,
    ),
    # "STOPP, keine Werbung", "Stop jetzt mit den Nachrichten!", "Schluss mit dem Spam"
    (
        "de",
        "stopp_mit",
        r"\b(stopp?|schluss)\s+"
        + _DE_FILL
        + r"(mit\s+("
        + _DE_DET
        + r"\s+)?|keine\s+)"
        + _DE_MSG
        + r"\b",
        False,
    ),
    # "Lasst mich in Ruhe mit eurer Werbung"
    (
        "de",
        "in_ruhe_mit",
        r"\b(lass|lasst|lassen)\s+(sie\s+)?(mich|uns)\s+" + _DE_FILL + r"in\s+ruhe\s+mit\s+"
        r"(" + _DE_DET + r"\s+)?" + _DE_MSG + r"\b",
        False,
    ),
    (
        "de",
        "nicht_mehr",
        r"\b(schreiben|schicken|senden|kontaktieren)\s+sie\s+mir\s+(nicht\s+mehr|"
        r"keine)\b|\bnicht\s+mehr\s+(anschreiben|schreiben|kontaktieren|anrufen)\b",
        False,
    ),
    # "Kontaktieren Sie mich nicht mehr", "schreibt mir nie wieder" (not "warum schreibt ihr
    # mir nicht mehr?": a question why they stopped)
    (
        "de",
        "mir_nicht_mehr",
        r"(?<!warum )(?<!wieso )(?<!weshalb )\b(schreiben|schreibt|schreib|schicken|schickt|"
        r"schick|senden|sendet|kontaktieren|kontaktiert|kontaktier|nerven|nervt|belastigen|"
        r"belastigt)\s+((sie|ihr|du)\s+)?(mir|mich|uns)\s+" + _DE_FILL + r"(nicht\s+mehr|"
        r"nie\s+wieder|nie\s+mehr|nichts\s+mehr|nix\s+mehr)\b",
        False,
    ),
    # "Ich möchte diese Nachrichten nicht mehr erhalten", "will nix mehr von euch bekommen"
    (
        "de",
        "nicht_mehr_erhalten",
        r"\b(mochte|mochten|will|wollen|wunsche|wunschen)\b.{0,30}\b" + _DE_MSG + r"\s+"
        r"(\w+\s+){0,2}nicht\s+mehr\s+(erhalten|bekommen|empfangen)\b|\b(will|mochte|wollen|"
        r"mochten)\s+(nix|nichts)\s+mehr\s+(von\s+(euch|ihnen|dir)\s+)?(bekommen|erhalten|"
        r"empfangen|zugeschickt\s+bekommen)\b",
        False,
    ),
    # GDPR: "Ich bitte um Löschung meiner Daten", "Ich widerspreche der Zusendung von Werbung"
    (
        "de",
        "dsgvo",
        r"\b(loschung|entfernung)\s+(meiner|unserer)\s+((personlichen|gespeicherten|"
        r"personenbezogenen)\s+)?(daten|nummer|telefonnummer|handynummer|kontaktdaten)\b|"
        r"\bwiderspreche\w*\s+(ich\s+|hiermit\s+)*(der|jeder|einer)\s+(weiteren\s+)?(zusendung|kontaktaufnahme|"
        r"nutzung|verarbeitung|speicherung|werbung)\b",
        False,
    ),
    # "bitte nichts mehr schicken", "brauche die Angebote nicht mehr", "keine weiteren
    # Nachrichten an diese Nummer senden" (not "gibt es keine weiteren Angebote?")
    (
        "de",
        "nichts_mehr_schicken",
        r"\b(nichts|nix)\s+mehr\s+(zu\s+)?(schicken|senden|zuschicken|zusenden|schreiben)\b|"
        r"\b(brauche|brauchen)\s+(\w+\s+){0,2}" + _DE_MSG + r"\s+(\w+\s+){0,3}nicht\s+mehr\b|"
        r"\bkeine\s+(weiteren|weitere)\s+" + _DE_MSG + r"\s+((\w+\s+){0,4}(zu\s+)?(senden|schicken|"
        r"zusenden|zuschicken|zuzusenden|zuzuschicken)|bitte|mehr)\b|\bbitte\s+keine\s+(weiteren|"
        r"weitere)\s+" + _DE_MSG + r"\b",
        False,
    ),
    # "Jetzt reicht's mit den Nachrichten"
    (
        "de",
        "reicht_mit",
        r"\b(reichts|reicht\s+s|reicht|genug)\s+"
        + _DE_FILL
        + r"mit\s+("
        + _DE_DET
        + r"\s+)?"
        + _DE_MSG
        + r"\b",
        False,
    ),
    # "Werbung. Nummer löschen bitte": a sentence that is only "delete the number" (not "kann
    # ich meine alte Nummer löschen?"; reads the clauses)
    (
        "de",
        "nummer_loschen",
        r"(^|\|\s)((bitte|sofort|und)\s+)?((meine|die|diese)\s+)?(nummer|handynummer|"
        r"telefonnummer|kontaktdaten|daten)\s+((bitte|sofort|jetzt)\s+)*(loschen|entfernen|"
        r"austragen)\b",
        True,
    ),
    # "Woher haben Sie meine Nummer? Sofort löschen!"
    (
        "de",
        "nummer_woher_loschen",
        r"\bwoher\s+(haben\s+sie|habt\s+ihr|hast\s+du)\s+(meine|die)\s+(nummer|handynummer|"
        r"telefonnummer|kontaktdaten|daten)\b.{0,40}\b(loschen|losche|loscht|entfernen|"
        r"entferne|entfernt)\b",
        False,
    ),
]
