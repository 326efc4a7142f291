"""Opt-out sentence rules for Hindi (Latin script) and Indonesian (see app.contacts.optout_phrases).

Pure data: `(language, rule name, pattern, negatable)` over text normalised by
`optout_phrases.normalize` (lower case, accents stripped, punctuation as spaces). Each rule
needs an opt-out verb AND what it applies to (messages, me, my number, the list).
"""

from __future__ import annotations

_HI_DO = r"(kar\s+do|kr\s+do|kardo|krdo|karo|kro|kijiye|karein|karen|kare)"  # "do it"
_ID_DONT = r"(jangan|jgn|(gak|ga|gk|nggak|ngga|enggak|tidak|tdk)\s+usah|gausah)"  # "don't"

RULES: list[tuple[str, str, str, bool]] = [
    # Hindi (Latin script)
    (
        "hi",
        "mat_bhejo",
        r"\b(mat|mt|na)\s+(bhejo|bhejna|bhejiye|bhejiyega|bheje|bhejein|bhejen|bhej)\b",
        False,
    ),
    (
        "hi",
        "message_mat_karo",
        r"\b(message|messages|msg|msgs|sms|promotions?|whatsapp|spam)\b.{0,15}"
        r"\b(mat|mt|na)\s+(karo|kro|karna|kijiye)\b",
        False,
    ),
    (
        "hi",
        "band_karo",
        r"\b(messages?|msgs?|promotions?|sms|ye\s+sab)\b.{0,15}\b(band|bnd)\s+"
        r"(karo|kro|kar\s+do|kardo|kijiye)\b",
        False,
    ),
    (
        "hi",
        "nahi_chahiye",
        r"\b(promotions?|messages?|msgs?|sms|whatsapp)\s+(nahi|nahin|nhi|nai)\s+"
        r"(chahiye|chaiye|chahie)\b",
        False,
    ),
    (
        "hi",
        "list_se_hatao",
        r"\b(list|group|broadcast)\s+se\b.{0,20}\b(hata|hatao|hatado|nikalo|nikal\s+do|"
        r"remove)\b",
        False,
    ),
    (
        "hi",
        "number_delete",
        r"\bnumber\b.{0,15}\b(delete|hatao|hata\s+do|(delete|remove)\s+" + _HI_DO + r")\b",
        False,
    ),
    (
        "hi",
        "number_kahan_se",
        r"\b(mera|meri|mere)\s+(number|no)\s+(kahan|kaha|kidhar)\s+se\s+(mila|liya|laya)\b.{0,40}"
        r"\b(delete|remove|hatao|hata\s+do)\b",
        False,
    ),
    # Indonesian
    (
        "id",
        "berhenti_kirim",
        r"\b(berhenti|stop)\s+(kirim|kirimi|mengirim|ngirim|chat|wa|sms|spam|"
        r"hubungi|menghubungi)\b",
        True,
    ),
    # "jangan kirim promo lagi", "jgn kirim2 lg", "gak usah kirim pesan lagi"
    (
        "id",
        "jangan_kirim",
        # "jangan kirim lagi" is a request; "ga usah kirim ulang lagi" only "no need to resend":
        # the "no need to" forms need what is sent (pesan, promo, ...), "lagi" alone is not enough
        r"\b(jangan|jgn)\s+(kirim|kirimi|ngirim|mengirim)2?\b.{0,20}\b(pesan|promo|chat|wa|lagi|"
        r"lg|sms|iklan|broadcast)\b|\b" + _ID_DONT + r"\s+(kirim|kirimi|ngirim|mengirim)2?\b"
        r".{0,20}\b(pesan|promo|chat|wa|sms|iklan|broadcast)\b",
        False,
    ),
    (
        "id",
        "jangan_hubungi",
        r"\b(jangan|jgn)\s+(chat|nge\s*chat|spam|hubungi|menghubungi|telpon|"
        r"telepon|wa)\b",
        False,
    ),
    (
        "id",
        "hapus_nomor",
        r"\b(hapus|keluarkan|keluarin|apus)\s+(nomor\w*|nomer\w*|no|saya|aku|kontak\w*)\b",
        False,
    ),
    (
        "id",
        "tidak_mau",
        r"\b(tidak|gak|nggak|ga|tdk)\s+(mau|ingin)\s+(lagi\s+)?(terima|menerima|"
        r"dapat|dapet|dikirimi)\b.{0,25}\b(pesan|promo|promosi|chat|wa|sms)\b",
        False,
    ),
    # "dapet nomor saya dari mana? hapus aja": asks where the number came from, then deletes it
    (
        "id",
        "nomor_dari_mana",
        r"\b(dapat|dapet|dpt|tau|tahu)\s+(nomor|nomer|no)\w*\s+((saya|aku|gue|gw)\s+)?"
        r"(dari\s+mana|darimana|dr\s+mana|drmn)\b.{0,40}\b(hapus|apus)\b",
        False,
    ),
]
