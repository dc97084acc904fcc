"""The maps inside a PDF font: code -> CID (an embedded CMap), code -> text (``ToUnicode``)
and CID -> width (``/W``), read and written.

Read by the font work of the editions (:mod:`.pdffonts`) and by the glyph check
(:mod:`briefpress.check.glyphs`), which must decode codes exactly as a viewer does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pikepdf

_CIDCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*(\d+)")
_CIDRANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\d+)")
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")
_BFRANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])")

_HEAD = [
    b"/CIDInit /ProcSet findresource begin",
    b"12 dict begin",
    b"begincmap",
]
_TAIL = [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]


def _blocks(data: bytes, kind: bytes) -> Iterator[bytes]:
    """What stands between each ``begin<kind>`` and the next ``end<kind>`` (found, not
    matched: a pattern would read the rest of the stream again for every unended block)."""
    begin, end = b"begin" + kind, b"end" + kind
    at = data.find(begin)
    while at >= 0:
        stop = data.find(end, at + len(begin))
        if stop < 0:
            return
        yield data[at + len(begin) : stop]
        at = data.find(begin, stop + len(end))


def read_cid_map(data: bytes) -> dict[int, int]:
    """An embedded CMap's code -> CID entries (``cidchar`` and ``cidrange``)."""
    mapping: dict[int, int] = {}
    for block in _blocks(data, b"cidchar"):
        for code, cid in _CIDCHAR.findall(block):
            mapping[int(code, 16)] = int(cid)
    for block in _blocks(data, b"cidrange"):
        for low, high, cid in _CIDRANGE.findall(block):
            for n in range(int(high, 16) - int(low, 16) + 1):
                mapping[int(low, 16) + n] = int(cid) + n
    return mapping


def _utf16(hexes: bytes) -> str:
    return bytes.fromhex(hexes.decode()).decode("utf-16-be", "replace")


def read_to_unicode(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap's code -> text entries (``bfchar`` and ``bfrange``)."""
    mapping: dict[int, str] = {}
    for block in _blocks(data, b"bfchar"):
        for code, text in _BFCHAR.findall(block):
            mapping[int(code, 16)] = _utf16(text)
    for block in _blocks(data, b"bfrange"):
        for low, high, target in _BFRANGE.findall(block):
            first, last = int(low, 16), int(high, 16)
            if target.startswith(b"["):
                for n, item in enumerate(re.findall(rb"<([0-9A-Fa-f]*)>", target)):
                    mapping[first + n] = _utf16(item)
                continue
            base = _utf16(target.strip(b"<>"))
            for n in range(last - first + 1):  # the last UTF-16 unit counts up
                mapping[first + n] = base[:-1] + chr(ord(base[-1]) + n) if base else base
    return mapping


def _chunks(entries: list[bytes], kind: bytes) -> list[bytes]:
    lines = []
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        lines += [f"{len(chunk)} ".encode() + b"begin" + kind, *chunk, b"end" + kind]
    return lines


def write_to_unicode(mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap (two-byte codes) for ``mapping``."""
    entries = [
        f"<{code:04x}> <{text.encode('utf-16-be').hex()}>".encode() for code, text in sorted(mapping.items())
    ]
    lines = [
        *_HEAD,
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
        *_chunks(entries, b"bfchar"),
        *_TAIL,
    ]
    return b"\n".join(lines) + b"\n"


def write_cid_map(mapping: dict[int, int], name: str) -> bytes:
    """An embedded CMap (two-byte codes, Adobe-Identity) sending each code to its CID."""
    entries = [f"<{code:04x}> {cid}".encode() for code, cid in sorted(mapping.items())]
    lines = [
        *_HEAD,
        b"/CIDSystemInfo 3 dict dup begin /Registry (Adobe) def /Ordering (Identity) def "
        b"/Supplement 0 def end def",
        f"/CMapName /{name} def".encode(),
        b"/CMapType 1 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
        *_chunks(entries, b"cidchar"),
        *_TAIL,
    ]
    return b"\n".join(lines) + b"\n"


def read_widths(items: Any) -> dict[int, float]:
    """A CIDFont's ``/W`` array as CID -> width (both of its forms)."""
    values = list(items)
    widths: dict[int, float] = {}
    i = 0
    while i + 1 < len(values):
        first = int(values[i])
        if isinstance(values[i + 1], (list, pikepdf.Array)):
            for n, width in enumerate(values[i + 1]):
                widths[first + n] = float(width)
            i += 2
        else:
            for cid in range(first, int(values[i + 1]) + 1):
                widths[cid] = float(values[i + 2])
            i += 3
    return widths
