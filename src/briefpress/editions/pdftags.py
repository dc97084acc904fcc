"""Tagged PDFs (``--pdf-variant pdf/ua-1``) that say what they are: languages and artifacts.

WeasyPrint 70 tags the structure of a document, but

1. writes its language only once, in the catalog: every English block of a Chinese
   handout would be read with a Chinese voice;
2. leaves the text of the page-margin boxes (running titles; page numbers of a tagged
   digest) as marked content of structure elements that the tree never reaches
   (``weasyprint/pdf/tags.py``: "could be included in tree as Artifact, but that's only
   allowed in PDF 2.0"), where PDF/UA wants pagination artifacts.

(1) is taught to WeasyPrint for the span of our own render call (:func:`languages`): a
structure element made for an HTML element with a ``lang`` attribute carries it as
``/Lang``. It belongs upstream, next to the tagging work of Kozea/WeasyPrint#2471
(https://github.com/Kozea/WeasyPrint/pull/2471). (2) is mended afterwards with pikepdf
(:func:`margins_as_artifacts`).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pikepdf

#: the signature :func:`languages` wraps; checked before it is wrapped
_BUILD_BOX_TREE = ["box", "parent", "pdf", "page_number", "nums", "annotations", "tags"]


@contextmanager
def languages(tagged: bool) -> Iterator[None]:
    """While rendering a tagged document: ``/Lang`` on the structure elements of HTML
    elements that have a ``lang``. Nothing is changed for an untagged one."""
    if not tagged:
        yield
        return
    from weasyprint.pdf import tags

    original = tags._build_box_tree
    if list(inspect.signature(original).parameters) != _BUILD_BOX_TREE:
        raise RuntimeError("WeasyPrint's tagging changed: briefpress cannot add /Lang to it")

    def build(box: Any, parent: Any, pdf: Any, *rest: Any) -> Iterator[Any]:
        element = getattr(box, "element", None)
        lang = element.get("lang") if element is not None else None
        own = lang and getattr(box, "element_tag", None) not in ("html", "body")
        for made in original(box, parent, pdf, *rest):
            if own and "Lang" not in made:
                import pydyf

                made["Lang"] = pydyf.String(lang)
            yield made

    tags._build_box_tree = build  # the module's own recursion goes through the wrapper too
    try:
        yield
    finally:
        tags._build_box_tree = original


def _reachable(root: pikepdf.Object) -> set[tuple[int, int]]:
    """The structure elements the tree reaches from its root."""
    found: set[tuple[int, int]] = set()
    pending = [root.get("/K")]
    while pending:
        kid = pending.pop()
        if isinstance(kid, pikepdf.Array):
            pending.extend(kid)
        elif (
            isinstance(kid, pikepdf.Dictionary) and kid.get("/Type", pikepdf.Name.StructElem) == "/StructElem"
        ):
            if kid.is_indirect:
                if kid.objgen in found:
                    continue
                found.add(kid.objgen)
            pending.append(kid.get("/K"))
    return found


def _page_entries(root: pikepdf.Object) -> dict[int, pikepdf.Array]:
    """The parent tree's arrays (MCID -> structure element), by StructParents key."""
    entries: dict[int, pikepdf.Array] = {}
    pending = [root.get("/ParentTree")]
    while pending:
        node = pending.pop()
        if not isinstance(node, pikepdf.Dictionary):
            continue
        pending.extend(node.get("/Kids", pikepdf.Array()))
        nums = list(node.get("/Nums", pikepdf.Array()))
        for key, value in zip(nums[::2], nums[1::2], strict=True):
            if isinstance(value, pikepdf.Array):
                entries[int(key)] = value
    return entries


def margins_as_artifacts(pdf: pikepdf.Pdf) -> int:
    """Marked content that belongs to no reachable structure element becomes a pagination
    artifact (and leaves the parent tree); how many sequences changed."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0
    reachable = _reachable(root)
    entries = _page_entries(root)
    changed = 0
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        array = entries.get(int(key)) if key is not None else None
        if array is None:
            continue
        orphans = {
            mcid
            for mcid, element in enumerate(array)
            if element.is_indirect and element.objgen not in reachable
        }
        if not orphans:
            continue
        instructions = pikepdf.parse_content_stream(page)
        for n, instruction in enumerate(instructions):
            operands, operator = instruction.operands, instruction.operator
            if str(operator) != "BDC" or not isinstance(operands[1], pikepdf.Dictionary):
                continue
            if operands[1].get("/MCID") in orphans:
                artifact = pikepdf.Dictionary(Type=pikepdf.Name.Pagination)
                instructions[n] = pikepdf.ContentStreamInstruction(
                    [pikepdf.Name.Artifact, artifact], operator
                )
                changed += 1
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        for mcid in orphans:
            array[mcid] = None
    return changed
