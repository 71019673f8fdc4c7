"""Which OCR language a text is in, by its stop words: cheap, pure and good enough to pick a
Tesseract model among the Latin-script languages we ship (eng deu fra nld spa ita por pol).

A first OCR pass with `eng` reads stop words of the other languages well enough (diacritics may be
lost, so the lists hold the words as an English model tends to read them too); the language whose
stop words make up the largest share of the words wins when that share is clear, else `eng`.
"""

from __future__ import annotations

import re
from typing import Final

_STOP_WORD_TEXT: Final = {
    "eng": "the and of to in is that for with as on are this be by from at or an was it not which"
    " have has will your you our we",
    "deu": "der die das und ist nicht mit den dem des ein eine einer zu von auf für fur fiir im"
    " sich auch werden wird bei oder sind nach wir ihre ihr aus",
    "fra": "le la les et des est une un du dans pour que qui pas sur au aux avec ce cette par"
    " sont nous vous leur être etre",
    "nld": "de het een en van is dat niet met voor op zijn aan ook wordt worden bij uit naar"
    " deze wij onze hun",
    "spa": "el la los las y de que en es un una por con para del se al su sus como más mas"
    " pero esta este son",
    "ita": "il lo la gli le di che è e un una per con del della dei non sono nel alla come"
    " anche questo questa",
    "por": "o a os as de que em um uma para com do da dos das não nao no na é são sao mais"
    " pelo pela seu sua",
    "pol": "i w z na się sie nie to jest do że ze od po jak dla przez oraz tak jego jej być byc"
    " sa są ich",
}
_STOP_WORDS: Final = {code: frozenset(text.split()) for code, text in _STOP_WORD_TEXT.items()}
_WORD: Final = re.compile(r"[^\W\d_]+")
MIN_WORDS: Final = 8  # fewer words than this say nothing: keep the default


def detect_language(text: str, *, default: str = "eng") -> str:
    """The Tesseract code of the language `text` is most likely in (`default` when unclear)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < MIN_WORDS:
        return default
    scores = {
        code: sum(1 for w in words if w in stop_words) / len(words)
        for code, stop_words in _STOP_WORDS.items()
    }
    best = max(scores, key=lambda code: scores[code])
    runner_up = max(score for code, score in scores.items() if code != best)
    if scores[best] < 0.08 or scores[best] < 1.3 * runner_up:
        return default
    return best
