"""Building: the ordered steps of a build (:mod:`.steps`), the worker processes that
render one article each within time and memory limits (:mod:`.workers`), the stamps
that make rebuilds incremental (:mod:`.stamps`), and all-or-nothing writing of files,
shared with ``briefpress import`` (:mod:`.output`).

Nothing is imported here: ``briefpress.build`` is also the name of the API function
(see ``briefpress/__init__.py``), and ``briefpress --help`` must stay light.
"""
