"""``briefpress import``: page dumps become article sources in the Markdown format."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .build.output import write_all
from .errors import BriefpressError, BuildError, Report, SourceError, SourceErrors
from .fields import slug_problem
from .options import Options
from .sources.markdown import MarkdownReader
from .sources.pagedump import to_markdown
from .sources.text import read_source


@dataclass
class ImportResult:
    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[BriefpressError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def convert(path: Path, report: Report, prefer: str | None = None) -> str:
    """The dump at ``path`` as Markdown, checked by reading it back as an article."""
    markdown, line_map = to_markdown(path, read_source(path), report, prefer)
    MarkdownReader().read_text(path, markdown, report, line_map)
    return markdown


def import_pages(
    paths: Iterable[str | Path],
    output: str | Path,
    options: Options | None = None,
    slug: str | None = None,
    report: Report | None = None,
) -> ImportResult:
    """Write ``output/<slug>.md`` for each page dump; the slug defaults to the dump's stem."""
    options = options or Options()
    report = report or Report()
    sources = [Path(p) for p in paths]
    result = ImportResult()
    if slug is not None and len(sources) != 1:
        result.errors.append(SourceError("--slug names one article; give one page dump"))
        return result
    output = Path(output)
    for path in sources:
        name = slug or path.stem
        try:
            problem = slug_problem(name)
            if problem is not None:
                raise SourceError(
                    f"{name!r} cannot be a file name for the article: it {problem} (choose one with --slug)",
                    path,
                )
            target = output / f"{name}.md"
            if target.resolve() == path.resolve():
                raise SourceError(
                    f"importing would overwrite the page dump itself ({target}); "
                    "choose another folder with -o",
                    path,
                )
            markdown = convert(path, report, options.prefer)
            if not options.force and _edited(target, markdown):
                raise BuildError(
                    f"{target} exists and differs from what this dump gives (edited since?); "
                    "nothing was written: move it away, or --force to replace it",
                    path,
                )
            try:
                output.mkdir(parents=True, exist_ok=True)
                write_all({target: markdown.encode("utf-8")})
            except OSError as exc:
                raise BuildError(f"cannot write to {output}: {exc.strerror or exc}", path) from None
            result.outputs.append(target)
        except SourceErrors as exc:
            result.errors.extend(exc.errors)
        except BriefpressError as exc:
            result.errors.append(exc)
    result.warnings = list(report.warnings)
    return result


def _edited(target: Path, markdown: str) -> bool:
    """Whether ``target`` holds something other than ``markdown`` (a folder, a link, an
    edited source): what an import must not replace unasked."""
    if not target.exists() and not target.is_symlink():
        return False
    try:
        return target.is_symlink() or not target.is_file() or target.read_bytes() != markdown.encode("utf-8")
    except OSError:
        return True
