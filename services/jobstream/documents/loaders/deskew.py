"""Straighten a photographed or scanned page before OCR: Tesseract misses whole paragraphs of a
page tilted by 2-3 degrees, which is how phones and feeders deliver them.

The skew is found on a small copy (about 500 px wide, dark pixels only): of the angles between
-5 and +5 degrees, the one whose horizontal projection is sharpest (largest variance of row sums:
text lines become dense bands with empty gaps) wins, coarse steps first, then a finer pass around
the best. Pages tilted by less than a quarter of a degree are left untouched.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

_WORK_WIDTH = 500
_MIN_ANGLE = 0.25


def _sharpness(small: Image.Image, angle: float) -> float:
    rotated = small.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0)
    rows = np.asarray(rotated, dtype=np.float32).sum(axis=1)
    return float(np.var(rows))


def skew_angle(image: Image.Image) -> float:
    """The angle (degrees, counter-clockwise) that makes the text lines of `image` horizontal."""
    grey = image if image.mode == "L" else image.convert("L")
    scale = _WORK_WIDTH / max(grey.width, 1)
    small = grey.resize((_WORK_WIDTH, max(1, round(grey.height * scale))), Image.Resampling.BOX)
    pixels = np.asarray(small, dtype=np.uint8)
    threshold = min(160, int(pixels.mean()) - 30)
    ink = Image.fromarray(((pixels < threshold) * 255).astype(np.uint8), mode="L")
    best = max(np.arange(-5.0, 5.01, 0.5), key=lambda a: _sharpness(ink, float(a)))
    fine = np.arange(best - 0.5, best + 0.51, 0.1)
    return float(max(fine, key=lambda a: _sharpness(ink, float(a))))


def deskew(image: Image.Image) -> Image.Image:
    """`image` rotated so its text lines are horizontal (the same image when already straight)."""
    angle = skew_angle(image)
    if abs(angle) < _MIN_ANGLE:
        return image
    grey = image if image.mode == "L" else image.convert("L")
    background = int(np.percentile(np.asarray(grey), 90))
    return grey.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=background)
