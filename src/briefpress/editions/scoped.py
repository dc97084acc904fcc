"""A few functions of WeasyPrint replaced inside briefpress's own layouts only: the one
mechanism of :mod:`.cjkjustify` (Chinese justified inter-character) and :mod:`.pdfnotes`
(footnotes on their call's page).

A :class:`Scoped` set of patches is made and checked once per process (the first
:meth:`Scoped.problem`), put in place when the first :meth:`Scoped.scope` block of the
process opens and put back when the last one closes; even while in place, each
replacement does what WeasyPrint does unless the calling thread (or task) is inside a
block (:meth:`Scoped.active`, a :class:`~contextvars.ContextVar`). A program that uses
briefpress and lays out its own documents, in another thread or after a build, gets
WeasyPrint's own behaviour. When the installed WeasyPrint is not the one the patches
were written for, nothing is patched, and the caller says so and carries on without.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

#: what making the patches raises when WeasyPrint is not the expected one
MISMATCH = (ImportError, AttributeError, LookupError, OSError, SyntaxError, TypeError)


@dataclass(frozen=True)
class Patch:
    """One WeasyPrint function and what stands in for it while a block is open."""

    owner: Any  # the module or class that holds it
    name: str
    original: Any
    replacement: Any


class Scoped:
    """The patches one module makes: ``make`` returns them (raising one of
    :data:`MISMATCH` when it cannot); ``check``, given them, says what is not as expected
    (it may lay out a probe inside :meth:`scope`), or None."""

    def __init__(
        self,
        name: str,
        make: Callable[[], tuple[Patch, ...]],
        check: Callable[[tuple[Patch, ...]], str | None] | None = None,
    ) -> None:
        self.name, self._make, self._check = name, make, check
        self._inside: ContextVar[bool] = ContextVar(name, default=False)
        self.checked, self.users = False, 0
        self.reason: str | None = None
        self.patches: tuple[Patch, ...] = ()
        self.new_locks()
        _EVERY.add(self)

    def fresh(self) -> Scoped:
        """Another such set, not yet checked (a test swaps it in to check afresh)."""
        return Scoped(self.name, self._make, self._check)

    def new_locks(self) -> None:
        self._lock = threading.Lock()  # guards the replacing and putting back
        self._checking = threading.Lock()  # one check at a time

    def active(self) -> bool:
        """Whether the calling thread (or task) is inside a block."""
        return self._inside.get()

    def problem(self) -> str | None:
        """Why the installed WeasyPrint cannot be patched; None when it can (checked once
        per process, at the first call: the build makes it before its workers fork)."""
        with self._checking:
            if not self.checked:
                try:
                    patches = self._make()
                    reason = self._check(patches) if self._check else None
                except MISMATCH as exc:
                    patches, reason = (), f"{type(exc).__name__}: {exc}"
                self.patches, self.reason, self.checked = (patches if reason is None else ()), reason, True
        return self.reason

    def patched(self) -> bool:
        """Whether any of the functions is replaced now (only while a block is open)."""
        return any(p.owner.__dict__.get(p.name) is p.replacement for p in self.patches)

    @contextmanager
    def within(self, warn: Callable[[str], object] | None, message: Callable[[str], str]) -> Iterator[bool]:
        """A block with the patches in place and active (yields True); when they cannot be
        made, ``warn`` is told ``message(reason)`` and nothing is patched (yields False)."""
        reason = self.problem()
        if reason is not None:
            if warn is not None:
                warn(message(reason))
            yield False
            return
        with self.scope():
            yield True

    @contextmanager
    def scope(self, patches: tuple[Patch, ...] | None = None) -> Iterator[None]:
        """The patches (the checked ones unless given) in place while any block is open
        in the process, active in this thread (or task)."""
        patches = self.patches if patches is None else patches
        with self._lock:
            if self.users == 0:
                for patch in patches:
                    setattr(patch.owner, patch.name, patch.replacement)
            self.users += 1
        token = self._inside.set(True)
        try:
            yield
        finally:
            self._inside.reset(token)
            with self._lock:
                self.users -= 1
                for patch in patches if self.users == 0 else ():
                    if patch.owner.__dict__.get(patch.name) is patch.replacement:  # not patched again since
                        setattr(patch.owner, patch.name, patch.original)


_EVERY: weakref.WeakSet[Scoped] = weakref.WeakSet()


def _after_fork() -> None:  # a forked child may have been forked while a lock was held
    for scoped in list(_EVERY):
        scoped.new_locks()


os.register_at_fork(after_in_child=_after_fork)
