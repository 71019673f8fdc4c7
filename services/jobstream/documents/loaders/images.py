"""Images (PNG, JPEG, TIFF, WebP, BMP, GIF) → OCR'd pages, one per TIFF frame.

Pillow reads the header first: more pixels than `max_image_pixels` (or Pillow's own bomb limit)
is `DocumentTooLargeError` before anything is decoded, and Pillow's bomb warning never leaks. The
EXIF orientation tag is applied (a phone photo taken sideways reads upright) and a tilted page is
straightened (loaders/deskew.py); boxes are relative to that upright, straightened image, whose
pixels are the page's width and height. Multi-page TIFFs become one page per frame (`max_pages`
counts them); animated GIF and WebP are read as their first frame, the picture a viewer shows.
Each page is OCR'd by loaders/picture.py (deskew, Tesseract, ruled tables); the Tesseract time
is `metadata["ocr_seconds"]` (absent with `options.ocr` off).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from jobstream.documents.errors import DocumentCorruptError, DocumentTooLargeError
from jobstream.documents.loaders.ocr import OcrLanguages
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.loaders.picture import ocr_picture
from jobstream.documents.model import Block, Document, Page

MIME_TYPES = {
    "PNG": "image/png", "JPEG": "image/jpeg", "MPO": "image/jpeg", "TIFF": "image/tiff",
    "WEBP": "image/webp", "BMP": "image/bmp", "GIF": "image/gif",
}  # fmt: skip
EXIF_ORIENTATION = 0x0112
_MULTI_PAGE = frozenset({"TIFF"})
_TESSERACT_READS = frozenset({"PNG", "JPEG", "BMP"})  # decoded by Tesseract's Leptonica as sent


def _open(data: bytes, options: LoadOptions) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # bomb and corrupt-EXIF warnings: we decide, not Pillow
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:  # over twice Pillow's own limit
        raise DocumentTooLargeError(
            f"image too large: over {2 * (Image.MAX_IMAGE_PIXELS or 0)} pixels, "
            f"the limit is {options.max_image_pixels}"
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, TypeError) as exc:
        raise DocumentCorruptError(f"unreadable image: {exc}") from exc
    if image.format not in MIME_TYPES:
        raise DocumentCorruptError(f"unsupported image format {image.format!r}")
    _check_pixels(image, options)
    return image


def _check_pixels(image: Image.Image, options: LoadOptions) -> None:
    width, height = image.size
    if width * height > options.max_image_pixels:
        raise DocumentTooLargeError(
            f"image too large: {width}x{height} = {width * height} pixels, "
            f"the limit is {options.max_image_pixels}"
        )


def _frames(image: Image.Image, options: LoadOptions) -> Iterator[Image.Image]:
    if image.format not in _MULTI_PAGE:
        yield image
        return
    count = getattr(image, "n_frames", 1)
    if count > options.max_pages:
        raise DocumentTooLargeError(
            f"too many pages: the TIFF has {count} pages, the limit is {options.max_pages}"
        )
    first = max(1, options.first_page)
    last = min(count, options.last_page or count)
    for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
        if first <= number <= last:
            _check_pixels(frame, options)
            yield frame
        elif number > last:
            return


def _flattened(frame: Image.Image) -> Image.Image:
    """A picture with transparency laid on white (transparent pixels are often black)."""
    if frame.mode not in ("RGBA", "LA", "PA") and "transparency" not in frame.info:
        return frame
    white = Image.new("RGBA", frame.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, frame.convert("RGBA")).convert("L")


def _upright(frame: Image.Image) -> Image.Image:
    frame = _flattened(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame.load()
        if frame.getexif().get(EXIF_ORIENTATION, 1) == 1:
            return frame  # already upright: the very same image (its file can go to Tesseract)
        upright = ImageOps.exif_transpose(frame)
    return upright if upright is not None else frame


def page_count(data: bytes) -> int:
    """Pages in the image: a TIFF's frames, else 1; refuses what load_image refuses to open."""
    image = _open(data, LoadOptions(max_image_pixels=2**62))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return int(getattr(image, "n_frames", 1)) if image.format in _MULTI_PAGE else 1
    except (OSError, ValueError, SyntaxError, EOFError, TypeError) as exc:
        raise DocumentCorruptError(f"unreadable image: {exc}") from exc


def _pages(
    image: Image.Image, options: LoadOptions, languages: OcrLanguages, data: bytes
) -> list[Page]:
    dpi = _dpi(image)
    # A single picture Tesseract reads itself (not a TIFF frame, not a GIF/WebP animation).
    as_is = (
        data
        if image.format in _TESSERACT_READS and not getattr(image, "is_animated", False)
        else None
    )
    first = max(1, options.first_page) if image.format in _MULTI_PAGE else 1
    pages: list[Page] = []
    for number, frame in enumerate(_frames(image, options), start=first):
        upright = _upright(frame)
        width, height = upright.size
        blocks: tuple[Block, ...] = ()
        if options.ocr:
            encoded = as_is if upright is frame else None
            blocks, width, height = ocr_picture(
                upright, languages=languages, dpi=dpi, encoded=encoded
            )
        pages.append(Page(number, "ocr", blocks, width=float(width), height=float(height)))
    return pages


def load_image(data: bytes, *, options: LoadOptions) -> Document:
    """An image's pages (one, or one per TIFF frame), each OCR'd (page.source = "ocr")."""
    image = _open(data, options)
    languages = OcrLanguages(options.ocr_languages)
    try:
        with warnings.catch_warnings():  # corrupt-EXIF and bomb warnings: our errors decide
            warnings.simplefilter("ignore")
            pages = _pages(image, options, languages, data)
    except (OSError, ValueError, SyntaxError, EOFError, TypeError) as exc:  # Pillow's for corrupt
        raise DocumentCorruptError(f"unreadable image: {exc}") from exc
    mime_type = MIME_TYPES[image.format or "PNG"]
    return Document(
        pages=tuple(pages), mime_type=mime_type, filename="image", format="image",
        languages=languages.used, metadata=languages.ocr_metadata(),
    )  # fmt: skip


def _dpi(image: Image.Image) -> int | None:
    dpi = image.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError, IndexError):
        return None
    return value if 100 <= value <= 1200 else None  # 72 is a default, not a measurement
