"""The built-in editions' declarations (:class:`briefpress.editions.edition.Edition`), one
light module each: the modules that render them import WeasyPrint, ebooklib or lxml, and
``briefpress --help`` reads every declaration."""
