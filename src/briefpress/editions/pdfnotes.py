"""Page footnotes on the page of their call in WeasyPrint 70, inside briefpress's own
layouts only (:func:`kept_with_calls`).

WeasyPrint sets a ``float: footnote`` note (render/fragments.py puts it at its call, in
the call's language) at the foot of the page its call is laid out on, with one exception:
when a later line does not fit on the page and the paragraph's ``orphans`` forbid
breaking before it, ``_linebox_layout`` (``layout/block.py``) first moves the page's
notes to the next page, the last first, until the line fits ("reports" them), and never
takes them back: not when the line still does not fit and the paragraph moves on, not
when the block around it (a pair, ``break-inside: avoid``) then goes to the next page
whole. The call stays where it is and its note goes to the next page, though the page
has room for it (issue 26: the Chinese call on page 3, its note at the foot of page 4).

Within :func:`kept_with_calls` that step is left out: the line that does not fit goes to
the next page as it would on a page without notes, and every note stays with its call;
a note that cannot fit beside its call's line takes that line with it to the next page
(``footnote-policy: line`` in styles/print.css, which WeasyPrint honours itself).

A second WeasyPrint 70 slip sends a note to the next page from any page: the footnote
area "overflows" when its last note ends below it, compared exactly
(``LayoutContext._update_footnote_area``), and the two sums are computed in different
orders, so on some paper sizes a note that fits ends 1e-13 px below its area
(1022.8000000000001 > 1022.8 on Letter) and is moved on (or, with ``footnote-policy:
line``, takes its line to the next page, and again there). Within :func:`kept_with_calls`
that comparison allows a hundredth of a pixel.

Each patch is one statement of a WeasyPrint 70 function (:data:`EDITS`) replaced in a
copy of the function compiled from WeasyPrint's own source; the copies are made once per
process and only when each statement is exactly the expected one (:func:`problem`), else
nothing is patched and the build warns. They are in place while a block is open and act
only in the thread (or task) inside one (:mod:`.scoped`, shared with :mod:`.cjkjustify`).
Upstream (Kozea/WeasyPrint): a reported note should be taken back when the line it made
room for is not kept on the page, and the overflow test should allow rounding; the
patches go away then.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from .scoped import Patch, Scoped

#: each patched function (module, class or None, name), the statement replaced, and its
#: replacement: no notes moved to make room for a line; a rounding error is no overflow
EDITS: tuple[tuple[str, str | None, str, str, str], ...] = (
    (
        "weasyprint.layout.block",
        None,
        "_linebox_layout",
        "report = not context.in_column and can_break_now and not could_break_before",
        "report = False",
    ),
    (
        "weasyprint.layout",
        "LayoutContext",
        "_update_footnote_area",
        "overflow = last_child_bottom > footnote_area_bottom",
        "overflow = last_child_bottom > footnote_area_bottom + 0.01",
    ),
)


def kept_with_calls(warn: Callable[[str], object] | None = None) -> AbstractContextManager[bool]:
    """Within the block, WeasyPrint keeps page footnotes on their call's page in this
    thread (yields True); with a WeasyPrint the patches do not know, ``warn`` is told and
    WeasyPrint places the notes its own way (yields False)."""
    return SCOPE.within(warn, lambda reason: f"footnotes may be set a page after their call: {reason}")


def problem() -> str | None:
    """Why the installed WeasyPrint cannot be patched; None when it can (checked once)."""
    return SCOPE.problem()


def _patches() -> tuple[Patch, ...]:
    return tuple(_patch(*edit) for edit in EDITS)


def _patch(module: str, owner_name: str | None, name: str, statement: str, replacement: str) -> Patch:
    import importlib

    owner = importlib.import_module(module)
    owner = getattr(owner, owner_name) if owner_name else owner
    original = owner.__dict__[name]
    edited = _edited(original, statement, replacement)

    def dispatch(*args: Any, **kwargs: Any) -> Any:
        return (edited if SCOPE.active() else original)(*args, **kwargs)

    return Patch(owner, name, original, dispatch)


def _edited(function: Any, statement: str, replacement: str) -> Any:
    """``function`` compiled again from its source with ``statement`` (found exactly once,
    compared as syntax) replaced by ``replacement``, in the globals of its module."""
    lines, first = inspect.getsourcelines(function)
    tree = ast.parse(textwrap.dedent("".join(lines)))
    expected, new = ast.dump(ast.parse(statement).body[0]), ast.parse(replacement).body[0]
    found = 0

    class Replace(ast.NodeTransformer):
        def generic_visit(self, node: ast.AST) -> ast.AST:
            nonlocal found
            if isinstance(node, ast.stmt) and ast.dump(node) == expected:
                found += 1
                return ast.copy_location(new, node)
            return super().generic_visit(node)

    tree = ast.fix_missing_locations(Replace().visit(tree))
    if found != 1:
        raise LookupError(f"{function.__module__}.{function.__qualname__} has {found} '{statement}'")
    ast.increment_lineno(tree, first - 1)  # tracebacks point at WeasyPrint's own lines
    namespace: dict[str, Any] = {}
    exec(
        compile(tree, inspect.getsourcefile(function) or "<weasyprint>", "exec"),
        function.__globals__,
        namespace,
    )
    return namespace[function.__name__]


#: the edited copies, made and checked once, in place inside :func:`kept_with_calls`
SCOPE = Scoped("briefpress_pdfnotes", _patches)
