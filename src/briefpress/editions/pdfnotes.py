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

The patch is one assignment of WeasyPrint 70's ``_linebox_layout`` (``report = ...``)
made ``False``, in a copy of the function compiled from WeasyPrint's own source; the
copy is made once per process and only when that assignment is exactly the expected
one (:func:`problem`), else nothing is patched and the build warns. It is in place while
a block is open and acts only in the thread (or task) inside one (a ContextVar), as
:mod:`.cjkjustify` does. Upstream (Kozea/WeasyPrint): a reported note should be taken
back when the line it made room for is not kept on the page; this goes away then.
"""

from __future__ import annotations

import ast
import inspect
import os
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

#: the assignment that decides whether notes are moved to make room for a line
REPORTING = "report = not context.in_column and can_break_now and not could_break_before"

_inside: ContextVar[bool] = ContextVar("briefpress_pdfnotes", default=False)


@dataclass
class _State:
    checked: bool = False
    problem: str | None = None
    original: Any = None
    kept: Any = None  # the copy that never reports notes
    users: int = 0


_state = _State()
_lock = threading.Lock()


def _new_lock() -> None:  # a forked child may have been forked while the lock was held
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_new_lock)


@contextmanager
def kept_with_calls(warn: Callable[[str], object] | None = None) -> Iterator[bool]:
    """Within the block, WeasyPrint keeps page footnotes on their call's page in this
    thread (yields True); with a WeasyPrint the patch does not know, ``warn`` is told and
    WeasyPrint places the notes its own way (yields False)."""
    reason = problem()
    if reason is not None:
        if warn is not None:
            warn(f"footnotes may be set a page after their call: {reason}")
        yield False
        return
    from weasyprint.layout import block

    with _lock:
        if _state.users == 0:
            block._linebox_layout = _dispatch
        _state.users += 1
    token = _inside.set(True)
    try:
        yield True
    finally:
        _inside.reset(token)
        with _lock:
            _state.users -= 1
            if _state.users == 0 and block.__dict__.get("_linebox_layout") is _dispatch:
                block._linebox_layout = _state.original


def _dispatch(*args: Any, **kwargs: Any) -> Any:
    return (_state.kept if _inside.get() else _state.original)(*args, **kwargs)


def problem() -> str | None:
    """Why the installed WeasyPrint cannot be patched; None when it can (checked once)."""
    with _lock:
        if not _state.checked:
            try:
                _state.original, _state.kept = _make()
            except (ImportError, AttributeError, LookupError, OSError, SyntaxError, TypeError) as exc:
                _state.problem = f"{type(exc).__name__}: {exc}"
            _state.checked = True
    return _state.problem


def _make() -> tuple[Any, Any]:
    """WeasyPrint's ``_linebox_layout`` and its copy with ``report = False``."""
    from weasyprint.layout import block

    original = block._linebox_layout
    lines, first = inspect.getsourcelines(original)
    tree = ast.parse(textwrap.dedent("".join(lines)))
    expected = ast.dump(ast.parse(REPORTING).body[0])
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["report"]
    ]
    if len(found) != 1 or ast.dump(found[0]) != expected:
        raise LookupError(f"weasyprint.layout.block._linebox_layout has no '{REPORTING}'")
    found[0].value = ast.copy_location(ast.Constant(False), found[0].value)
    ast.increment_lineno(tree, first - 1)  # tracebacks point at WeasyPrint's own lines
    namespace: dict[str, Any] = {}
    exec(compile(tree, inspect.getsourcefile(original) or "<weasyprint>", "exec"), block.__dict__, namespace)
    return original, namespace[original.__name__]
