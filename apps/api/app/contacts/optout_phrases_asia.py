"""Opt-out sentence rules for Hindi (Latin script) and Indonesian (see app.contacts.optout_phrases).

Pure data: `(language, rule name, pattern, negatable)` over text normalised by
`optout_phrases.normalize` (lower case, accents stripped, punctuation as spaces). Each rule
needs an opt-out verb AND what it applies to (messages, me, my number, the list).
"""

from __future__ import annotations

_HI_DO = r"(kar\s+do|kr\s+do|kardo|krdo|karo|kro|kijiye|karein|karen|kare)"  # "do it"
_HI_STOP = r"(band|bandh|bnd|chhod|chod|chhodo|chodo|rok|rook)"  # "stop" (band karo, rok do)
# "-nya" (the/its) and "2" (plural) may end it: "promosinya", "pesan2"
_ID_MSG = r"(pesan|promo|promosi|chat|wa|sms|iklan|broadcast|spam|penawaran|notifikasi)(nya|2)?"
# "don't" / "no need to"
_ID_DONT = r"(jangan|jgn|(gak|ga|gk|nggak|ngga|enggak|tidak|tdk)\s+(usah|perlu)|gausah|gaperlu)"

RULES: list[tuple[str, str, str, bool]] = [
    # Hindi (Latin script)
    (
        "hi",
        "mat_bhejo",
        r"\b(mat|mt|na)\s+(bhejo|bhejna|bhejiye|bhejiyega|bheje|bhejein|bhejen|bhej|bhjo|bhjna|bhjiye)\b",
        False,
    ),
    (
        "hi",
        "message_mat_karo",
        r"\b(message|messages|msg|msgs|sms|promotions?|whatsapp|spam|contact)\b.{0,15}"
        r"\b(mat|mt|na)\s+(karo|kro|karna|kijiye)\b",
        False,
    ),
    # "offers bhejna band kar dijiye", "message karna chhod do", "ye sab bhejna rok do"
    # (sending-stop; not "bhejna band mat karo")
    (
        "hi",
        "bhejna_band",
        r"\b(bhejna|bhejne|bhejte|(message|messages|msg|msgs|sms|spam|whatsapp|contact)\s+"
        r"(karna|karne))\s+" + _HI_STOP + r"\b(?!\s+(mat|na|nahi|mt)\b)(?!\s+\w+\s+(mat|na|mt)\b)",
        False,
    ),
    (
        "hi",
        "band_karo",
        r"\b(messages?|msgs?|promotions?|sms|spam|ye\s+sab)\b.{0,15}\b(band|bnd|bandh)\s+"
        r"(karo|kro|kar\s+do|kardo|kijiye|kar\s+dijiye|kar)\b(?!\s+(mat|na|diya|dia|ho|hai|raha|rahe)\b)"
        # "band karo ye faltu ke msg": the verb first
        r"|\b(band|bnd|bandh)\s+(karo|kro|kar\s+do|kardo|kijiye|kar\s+dijiye)\s+((ye|yeh|ab|apne|"
        r"aapke|sab|ye\s+sab)\s+)?(\w+\s+){0,2}(messages?|msgs?|promotions?|sms|spam)\b"
        # "promo wale msg band plz", "bas karo ye msgs"
        r"|\b(messages?|msgs?|promotions?|sms|spam|ads)\s+band\s*(plz|pls|please|kro|karo|ab|"
        r"abhi|\|)?\s*$|\bbas\s+(karo|kro|kijiye)\s+((ye|yeh|ab|apne)\s+)?(messages?|msgs?|"
        r"promotions?|sms|spam|ads)\b",
        False,
    ),
    (
        "hi",
        "nahi_chahiye",
        r"\b(promotions?|messages?|msgs?|sms|whatsapp|notifications?|ads|spam|marketing)\s+"
        r"(nahi|nahin|nhi|nai)\s+"
        r"(chahiye|chaiye|chahie)\b",
        False,
    ),
    (
        "hi",
        "list_se_hatao",
        r"\b(list|group|grp|broadcast|alerts|updates|system|database)\s+((me|mein|main)\s+)?se\b"
        r".{0,20}\b(hata|hatao|hatado|nikalo|nikaalo|nikal\s+do|nikaal\s+do|kaat\s+do|kaato|kaat\s+dijiye|"
        # "hata ke": moving
        r"kat\s+do|remove|bahar\s+(karo|kro|kar\s+do|nikalo|kijiye))\b(?!\s+ke\b)"
        # "mera naam hatao list se", "hatao mujhe list se": the verb first
        r"|\b(hatao|hata\s+do|hatado|nikalo|nikal\s+do|remove\s+karo|remove\s+kar\s+do)\s+"
        r"((mujhe|hume|humko|mera\s+(naam|number))\s+)?(list|group|broadcast)\s+se\b"
        # "mera naam kaat do": struck off (a waitlist is another booking)
        r"|\b(mera|meri|hamara)\s+(naam|number|no)\s+(kaat|kat|kaato|cut)\s+(do|dijiye|dena|de|"
        r"kar\s+do)\b",
        False,
    ),
    (
        "hi",
        "number_delete",
        r"\b(number|(mera|meri|mere)\s+data)\b.{0,15}\b(delete|hatao|hata\s+do|(delete|remove)\s+"
        + _HI_DO
        + r")\b"
        # "turant hatao mera number": the verb first
        r"|\b(hatao|hata\s+do|hatado|nikalo|(delete|remove)\s+"
        + _HI_DO
        + r")\s+(mera|meri|mere|ye|"
        r"yeh|is|mujhe)\s+(number|no|naam|contact)\b",
        False,
    ),
    # "please remove kar dijiye", "interest nahi hai, remove kar do": a sentence that is only
    # "remove it" (with me/my number at most; "pizza se onion remove kar do" has another object;
    # reads the clauses)
    (
        "hi",
        "remove_kar_do",
        r"(^|\|\s)((please|pls|plz|bas|ab|to|toh|ji|bhai|sir|yaar|kripya|mujhe|hume|humko|mujhko|"
        r"mera\s+(number|no|naam)|meri\s+details)\s+){0,3}(remove|unsubscribe)\s+"
        r"(kar\s+do|kr\s+do|kardo|krdo|kar\s+dijiye|kar\s+dijie|kijiye|karo|kro|kar\s+den|"
        r"kar\s+dein)\b",
        True,
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
        r"\b(berhenti|stop|hentikan|setop)\s+(semua\s+)?(kirim|kirimi|kirimin|kirimkan|mengirim|"
        r"mengirimi|mengirimkan|ngirim|ngirimin|hubungi|menghubungi|" + _ID_MSG + r")(2|nya)?\b",
        True,
    ),
    # "berhenti berlangganan" (the unsubscribe button's words)
    (
        "id",
        "berhenti_berlangganan",
        r"\b(berhenti|stop)\s+(ber)?langganan\b(?!\s+(paket|internet|wifi|indihome|tv|netflix|"
        r"spotify|gym|kelas|les|majalah|koran|bulanan|tahunan|premium|aplikasi))",
        False,
    ),
    # "saya mau berhenti dapat notifikasi dari toko ini", "keberatan menerima pesan pemasaran"
    (
        "id",
        "berhenti_dapat",
        r"\b(mau|ingin|pengen|pingin|pgn|minta)\s+berhenti\s+(dapat|dapet|menerima|terima|"
        r"dikirimi)\s+(\w+\s+)?" + _ID_MSG + r"\b(?!\s+(pesanan|order|pengiriman|paket))"
        r"|\bkeberatan\s+(menerima|dikirimi|dapat|dapet|terima)\s+" + _ID_MSG + r"\b",
        False,
    ),
    # "jangan kirim promo lagi", "jgn kirim2 lg", "gak usah kirim pesan lagi"
    (
        "id",
        "jangan_kirim",
        # "jangan kirim lagi" is a request; "ga usah kirim ulang lagi" only "no need to resend":
        # the "no need to" forms need what is sent (pesan, promo, ...), "lagi" alone is not enough
        r"\b(jangan|jgn)\s+(kirim|kirimi|ngirim|mengirim|dikirimi|dikirim|dikirimin|kirimin|kirm|krm)2?"
        r"\b.{0,20}\b(pesan|psn|promo|chat|wa|lagi|"
        r"lg|sms|iklan|broadcast)\b|\b" + _ID_DONT + r"\s+(kirim|kirimi|ngirim|mengirim)2?\b"
        r".{0,20}\b" + _ID_MSG + r"\b"
        # "mohon untuk tidak mengirimkan pesan apapun lagi"
        r"|\b(mohon|tolong|harap|dimohon)\s+(untuk\s+)?(tidak|tdk|jangan)\s+(lagi\s+)?(mengirim\w*|kirim\w*)"
        r"\b.{0,30}\b(lagi|lg|ke\s+nomor)\b",
        False,
    ),
    (
        "id",
        "jangan_hubungi",
        r"\b(jangan|jgn)\s+(chat|nge\s*chat|spam|hubungi|menghubungi|telpon|"
        r"telepon|wa)\b"
        # "gak usah chat2 lagi" (not "gak usah chat dulu")
        r"|\b" + _ID_DONT + r"\s+(chat|nge\s*chat|spam|hubungi|menghubungi|wa|kontak)(2|in)?\s+"
        r"((saya|aku|kami)\s+)?(lagi|lg)\b",
        False,
    ),
    # "jangan masukin nomor saya ke broadcast lagi"
    (
        "id",
        "jangan_masukin",
        r"\b(jangan|jgn)\s+(masukin|masukkan|dimasukin|dimasukkan|tambahin|tambahkan|add)\s+"
        r"(nomor|nomer|no|saya|aku)\w*\b.{0,20}\b(broadcast|grup|group|daftar|list)\b",
        False,
    ),
    # "mohon nomor saya dikeluarkan dari daftar penerima": a request, not "kok nomor saya dihapus?"
    (
        "id",
        "mohon_dikeluarkan",
        r"\b(mohon|tolong|minta|harap)\s+((agar|supaya)\s+)?(nomor|nomer|no|data)\w*\s+"
        r"((pribadi\s+)?(saya|aku|gue|gw|ini)\s+)?(dikeluarkan|dikeluarin|dihapus|diapus|diremove|"
        r"dicoret)\b",
        False,
    ),
    (
        "id",
        "hapus_nomor",
        r"\b(hapus|keluarkan|keluarin|apus|coret)\s+(nomor\w*|nomer\w*|no|saya|aku|kontak\w*|"
        r"data\s+(pribadi\s+)?(saya|aku))\b",
        True,  # "jangan hapus saya dari daftar"
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
