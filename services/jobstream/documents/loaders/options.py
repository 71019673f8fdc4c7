"""What a caller may ask of a loader: resolution, OCR languages, page range and limits."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_DPI = 192
OCR_LANGUAGES = ("eng", "deu", "fra", "nld", "spa", "ita", "por", "pol")


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """Options every loader takes; picklable, so it crosses into the worker's process pool."""

    image_resolution_dpi: int = DEFAULT_DPI  # 96-300: the resolution pages are rendered at for OCR
    ocr_languages: tuple[str, ...] | None = None  # None = detect among OCR_LANGUAGES
    ocr: bool = True  # False: never OCR (a page with no text layer stays empty)
    first_page: int = 1  # 1-based, inclusive: load only this range (progress in chunks)
    last_page: int | None = None  # inclusive; None = to the end
    max_pages: int = 2000  # more pages than this -> DocumentTooLargeError
    max_image_pixels: int = 120_000_000  # per image or rendered page -> DocumentTooLargeError
    max_unpacked_bytes: int = 512 * 1024 * 1024  # zip members of office files -> too large
