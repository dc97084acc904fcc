"""What an image file really is, decided by its content, never by its name.

Only the EPUB core media types are shown (PNG, JPEG, GIF, WebP, SVG): other formats are
refused with what to convert them to. A raster image's size is read from its header
and checked against a pixel budget before anything decodes it (a decompression bomb
never gets that far). An SVG may not hold active content — scripts, event handlers,
foreign objects, entities, links to ``javascript:`` — and one that refers to anything
outside itself is not embedded.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from ..errors import SourceError
from .text import read_bytes

MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: about a 7000 × 5700 picture: more than any screen or page shows
MAX_PIXELS = 40_000_000
#: media type by the file name's extension; the content must agree
EXTENSIONS = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]
_OTHER_FORMATS = [
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x00\x00\x01\x00", "an icon file"),
    (b"%PDF", "a PDF document"),
]
_ACTIVE_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
_OUTSIDE = re.compile(r"""@import|url\(\s*+["']?(?!\s*(?:#|data:))""", re.I)


class ImageProblem(Exception):
    """The image cannot be shown; the message says why and what to do."""


@dataclass
class ImageInfo:
    media_type: str
    #: refers to files or addresses outside itself (an SVG): not embedded
    reaches_out: bool = False


def sniff(data: bytes) -> str | None:
    """The media type of an image's bytes, or None when it is none of the shown kinds."""
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE", b"<!doctype")) and b"<svg" in data[:65536]:
        return "image/svg+xml"
    return None


def describe_other(data: bytes) -> str:
    for signature, name in _OTHER_FORMATS:
        if data.startswith(signature):
            return name
    if data[4:8] == b"ftyp":
        brand = data[8:12].decode("ascii", "replace")
        return "an AVIF image" if brand.startswith("avi") else f"a {brand.strip()} file"
    return "not an image briefpress can show"


def inspect(path: Path) -> ImageInfo:
    """What the image at ``path`` is; :class:`ImageProblem` when it may not be shown."""
    try:
        data = read_bytes(path, MAX_IMAGE_BYTES, "an image")
    except SourceError as exc:
        raise ImageProblem(exc.message) from None
    media_type = sniff(data)
    if media_type is None:
        raise ImageProblem(
            f"is {describe_other(data)}; e-readers show PNG, JPEG, GIF, WebP and SVG: "
            "convert it to PNG or JPEG"
        )
    named = EXTENSIONS.get(path.suffix.lower())
    if named != media_type:
        extension = {v: k for k, v in EXTENSIONS.items()}[media_type]
        raise ImageProblem(f"holds {media_type} but its name says otherwise: name it {path.stem}{extension}")
    if media_type == "image/svg+xml":
        return ImageInfo(media_type, reaches_out=check_svg(data))
    check_pixels(path)
    return ImageInfo(media_type)


def check_pixels(path: Path) -> None:
    """Refuse a picture larger than the budget, from its header alone."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:  # reads the header; nothing is decoded
                width, height = image.size
        except Image.DecompressionBombError:
            width, height = MAX_PIXELS, 2
        except (OSError, SyntaxError, ValueError) as exc:
            raise ImageProblem(f"cannot be read as an image ({exc})") from None
    if width * height > MAX_PIXELS:
        raise ImageProblem(
            f"is {width:,} × {height:,} pixels; the limit is {MAX_PIXELS // 1_000_000} million: scale it down"
        )


def check_svg(data: bytes) -> bool:
    """Refuse active content in an SVG; whether it refers to anything outside itself."""
    if re.search(rb"<!(?:DOCTYPE|ENTITY)", data, re.I):
        raise ImageProblem("is an SVG with a DOCTYPE or entities, which can read files; remove them")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ImageProblem(f"is not a well-formed SVG ({exc})") from None
    if _local(root.tag) != "svg":
        raise ImageProblem("is not an SVG image (its root element is not <svg>)")
    reaches_out = False
    for element in root.iter():
        name = _local(element.tag).lower()
        if name in _ACTIVE_ELEMENTS:
            raise ImageProblem(
                f"is an SVG holding <{_local(element.tag)}>, which can run or load content; remove it"
            )
        for attribute, value in element.attrib.items():
            local = _local(attribute).lower()
            if local.startswith("on"):
                raise ImageProblem(f"is an SVG with an event handler ({_local(attribute)}=); remove it")
            if "javascript:" in value.lower().replace(" ", ""):
                raise ImageProblem("is an SVG with a javascript: address; remove it")
            if name in ("animate", "set") and local == "attributename" and value.split(":")[-1] == "href":
                raise ImageProblem("is an SVG that animates a link address; remove the animation")
            if local in ("href", "src") and not value.strip().startswith(("#", "data:image/")):
                reaches_out = True
        if name == "style" and _OUTSIDE.search("".join(element.itertext())):
            reaches_out = True
        if _OUTSIDE.search(element.attrib.get("style", "")):
            reaches_out = True
    return reaches_out


def _local(name: str) -> str:
    """An XML name without its namespace."""
    return name.rpartition("}")[2] if isinstance(name, str) else ""
