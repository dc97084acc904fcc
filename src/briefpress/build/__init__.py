"""Building: the ordered steps of a build (:mod:`.steps`), finding its sources and
telling articles from the other files of a folder (:mod:`.find`), the worker processes
that render one article each within time and memory limits (:mod:`.workers`) and what
Ctrl-C does to them (:mod:`.interrupt`), the stamps that make rebuilds incremental
(:mod:`.stamps`), the lock of an output folder (:mod:`.lock`), the digest
(:mod:`.digests`), the articles whose sources are gone (:mod:`.prune`), and
all-or-nothing writing of files, shared with ``briefpress import`` (:mod:`.output`).

Nothing is imported here: ``briefpress.build`` is also the name of the API function
(see ``briefpress/__init__.py``), and ``briefpress --help`` must stay light.
"""
