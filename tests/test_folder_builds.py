"""Folder builds (issue 24): files that are not articles, drafts, digests with a failed
article, Ctrl-C, two builds into one folder, and articles whose sources are gone.
Through the CLI, with the messages asserted as a user sees them."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefpress.cli import main

ROOT = Path(__file__).resolve().parents[1]
#: an article with a brief, so that it builds with no warning
BODY = "# 原文\n\nFirst paragraph.\n\n# 译文\n\n第一段。\n\n# 讨论引子\n\n1. 这对我们意味着什么？\n"


def article(path: Path, title: str = "测试文章", date: str = "2026-06-09", more: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: {title}\ndate: {date}\n{more}---\n\n{BODY}", encoding="utf-8")
    return path


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def summary(out: str) -> str:
    """The build's last line, without its time."""
    return re.sub(r", in \d+\.\d s$", "", out.splitlines()[-1])


# -- files that are not articles, and drafts ---------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two articles, a README, a to-do list, a draft and a GitHub template (hidden folder)."""
    arts = tmp_path / "arts"
    article(arts / "a.md")
    article(arts / "b.md", "第二篇", "2026-06-10")
    (arts / "README.md").write_text("# Notes\n\nFor the editors.\n\n---\n\nMore.\n", encoding="utf-8")
    (arts / "drafts").mkdir()
    (arts / "drafts" / "todo.md").write_text("- ask Li\n- check the date\n", encoding="utf-8")
    article(arts / "drafts" / "next.md", "下一篇", more="draft: yes\n")
    (arts / ".github").mkdir()
    (arts / ".github" / "bug.md").write_text("---\nname: Bug\nabout: report one\n---\n", encoding="utf-8")
    return arts


def test_files_without_front_matter_and_drafts_are_skipped_with_one_line(folder, tmp_path):
    out = str(tmp_path / "out")
    code, stdout, stderr = run("build", str(folder), "-o", out, "--formats", "html")
    assert (code, stderr) == (0, "")
    lines = stdout.splitlines()
    assert lines[-2] == "skipped 2 file(s) without front matter (not articles) and 1 draft(s); -v names them"
    assert summary(stdout) == "2 of 2 article(s) built, 2 file(s), 0 warning(s), 0 error(s), 0 unchanged"
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == ["a", "b"]
    code, stdout, _ = run("build", str(folder), "-o", out, "--formats", "html", "-v")
    assert code == 0
    assert [line for line in stdout.splitlines() if line.startswith("skipped")] == [
        "skipped 2 file(s) without front matter (not articles) and 1 draft(s):",
        f"skipped {folder / 'README.md'}: no front matter, not an article",
        f"skipped {folder / 'drafts' / 'todo.md'}: no front matter, not an article",
        f"skipped {folder / 'drafts' / 'next.md'}: a draft (draft: true in its front matter)",
    ]
    code, stdout, _ = run("build", str(folder), "-o", out, "--formats", "html", "-q")
    assert (code, stdout) == (0, "")


def test_a_file_named_on_the_command_line_is_built_or_refused_as_asked(folder, tmp_path):
    out = str(tmp_path / "out")
    code, _, stderr = run("build", str(folder / "README.md"), "-o", out, "--formats", "html")
    assert code == 1
    assert stderr == (
        f"{folder / 'README.md'}:1: error: no front matter: an article starts with a '---' line, "
        "then 'title:' and 'date:', then another '---' line\n"
    )
    code, stdout, stderr = run("build", str(folder / "drafts" / "next.md"), "-o", out, "--formats", "html")
    assert (code, stderr) == (0, "") and (tmp_path / "out" / "next" / "next.html").is_file()
    assert "skipped" not in stdout


def test_a_file_that_looks_like_a_broken_article_is_not_skipped(tmp_path):
    arts = tmp_path / "arts"
    article(arts / "a.md")
    (arts / "b.md").write_text("\n---\ntitle: 空行之后\ndate: 2026-06-09\n---\n\n" + BODY, encoding="utf-8")
    (arts / "c.md").write_text(BODY, encoding="utf-8")  # its front matter forgotten
    code, stdout, stderr = run("build", str(arts), "-o", str(tmp_path / "out"), "--formats", "html")
    assert code == 1 and "skipped" not in stdout
    assert stderr.count("error: no front matter") == 2
    assert f"{arts / 'b.md'}:1: error: no front matter" in stderr
    assert f"{arts / 'c.md'}:1: error: no front matter" in stderr


def test_a_folder_of_notes_only_is_one_error(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "README.md").write_text("Notes.\n", encoding="utf-8")
    code, _, stderr = run("build", str(notes), "-o", str(tmp_path / "out"))
    assert code == 1
    assert stderr == (
        f"{notes}: error: the folder holds no articles: its 1 Markdown file(s) have no front matter "
        "(an article starts with a '---' line, then 'title:' and 'date:', then another '---' line)\n"
    )


@pytest.mark.parametrize(
    ("value", "draft"),
    [("true", True), ("yes", True), ("True", True), ("on", True)]
    + [("false", False), ("no", False), ('""', False)],
)
def test_draft_takes_yaml_booleans(tmp_path, value, draft):
    arts = tmp_path / "arts"
    article(arts / "a.md")
    article(arts / "d.md", more=f"draft: {value}\n")
    code, stdout, stderr = run("build", str(arts), "-o", str(tmp_path / "out"), "--formats", "html")
    assert (code, stderr) == (0, "")
    assert ("skipped 1 draft(s); -v names them" in stdout) is draft
    assert (tmp_path / "out" / "d").exists() is not draft


@pytest.mark.parametrize("named", [False, True])
def test_a_draft_that_is_not_yes_or_no_is_an_error_at_its_line(tmp_path, named):
    arts = tmp_path / "arts"
    article(arts / "a.md")
    draft = article(arts / "d.md", more="draft: maybe\n")
    target = draft if named else arts
    code, _, stderr = run("build", str(target), "-o", str(tmp_path / "out"), "--formats", "html")
    assert code == 1
    assert stderr == f"{draft}:4: error: 'draft' must be true or false, not 'maybe'\n"


# -- a digest whose article failed ---------------------------------------------------------------


@pytest.fixture
def issue(tmp_path: Path) -> Path:
    """Three articles and two that fail: one's translation is short a paragraph, one's date is wrong."""
    arts = tmp_path / "issue"
    for n in (1, 2, 3):
        article(arts / f"a{n}.md", f"第 {n} 篇", f"2026-06-0{n}")
    article(arts / "bad.md", "坏的", "2026-06-04")
    (arts / "bad.md").write_text(
        (arts / "bad.md").read_text(encoding="utf-8").replace("First paragraph.", "One.\n\nTwo."),
        encoding="utf-8",
    )
    article(arts / "late.md", "晚的", "2026-13-01")
    return arts


def test_a_digest_with_a_failed_article_is_not_written(issue, tmp_path):
    out = tmp_path / "out"
    code, stdout, stderr = run(
        "build", str(issue), "-o", str(out), "--formats", "html,epub", "--digest", "第 12 期"
    )
    assert code == 1
    lines = stderr.splitlines()
    assert len(lines) == 3 and lines[0].startswith(f"{issue / 'bad.md'}:") and "late.md:3: error:" in lines[1]
    assert lines[2] == (
        f"{out / 'digest'}: error: the digest is not written: 2 of 5 article(s) failed to build "
        f"({issue / 'bad.md'}, {issue / 'late.md'}); fix them, "
        "or build with --digest-partial to leave them out"
    )
    assert not (out / "digest").exists()
    assert summary(stdout) == "3 of 5 article(s) built, 6 file(s), 0 warning(s), 3 error(s), 0 unchanged"


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        ("zh-Hans", "另有 2 篇文章因构建失败未收入。"),
        ("zh-Hant", "另有 2 篇文章因建置失敗未收入。"),
        ("en", "2 articles left out: they failed to build."),
    ],
)
def test_digest_partial_leaves_failures_out_and_says_how_many(issue, tmp_path, lang, note):
    import zipfile

    out = tmp_path / "out"
    argv = ["build", str(issue), "-o", str(out), "--formats", "html,epub", "--digest", "D", "--lang-ui", lang]
    code, stdout, stderr = run(*argv, "--digest-partial")
    assert code == 1 and stderr.count("error:") == 2  # the two articles: they did fail
    assert (
        stdout.splitlines()[-2]
        == "the digest leaves out 2 article(s) that failed to build (--digest-partial)"
    )
    page = (out / "digest" / "digest.html").read_text(encoding="utf-8")
    assert f'<p class="digest-left-out">{note}</p>' in page
    # the site bar: the index one folder up, the digest's EPUB beside the page, no PDF
    # (not built)
    bar = page[page.index('<header class="site-bar"') : page.index("</header>")]
    assert 'href="../index.html"' in bar and 'href="digest.epub"' in bar and ".pdf" not in bar
    assert (out / "index.html").exists() and (out / "digest" / "digest.epub").exists()
    assert page.count('<article class="article digest-article"') == 3
    nav = zipfile.ZipFile(out / "digest" / "digest.epub").read("EPUB/nav.xhtml").decode()
    assert f'<p class="digest-left-out">{note}</p>' in nav
    # once they are fixed, the digest is whole again and says nothing of them
    (issue / "bad.md").write_text((issue / "a1.md").read_text(encoding="utf-8").replace("第 1 篇", "坏的"))
    (issue / "late.md").unlink()
    code, stdout, stderr = run(*argv)
    assert (code, stderr) == (0, "")
    page = (out / "digest" / "digest.html").read_text(encoding="utf-8")
    assert (
        '<p class="digest-left-out">' not in page
        and page.count('<article class="article digest-article"') == 4
    )


def test_one_article_left_out_in_english(issue, tmp_path):
    (issue / "late.md").unlink()
    out = tmp_path / "out"
    argv = ["--formats", "html", "--digest", "D", "--lang-ui", "en", "--digest-partial"]
    assert run("build", str(issue), "-o", str(out), *argv)[0] == 1
    page = (out / "digest" / "digest.html").read_text(encoding="utf-8")
    assert '<p class="digest-left-out">1 article left out: it failed to build.</p>' in page


@pytest.mark.slow
def test_digest_partial_pdf_contents_page_says_how_many_and_the_book_passes_epubcheck(issue, tmp_path):
    from test_epub import epubcheck_problems

    out = tmp_path / "out"
    argv = ["--formats", "pdf,epub", "--digest", "第 12 期", "--digest-partial"]
    assert run("build", str(issue), "-o", str(out), *argv)[0] == 1
    contents = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(out / "digest" / "digest.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "另有2篇文章因构建失败未收入。" in contents.replace(" ", "")
    assert all(f"第{n}篇" in contents.replace(" ", "") for n in (1, 2, 3))
    assert epubcheck_problems(out / "digest" / "digest.epub") == []


# -- two builds into one folder ----------------------------------------------------------------

#: a build whose articles take a second each to render
SLOW_BUILD = """\
import sys, time
from briefpress.build import steps
from briefpress.cli import main
real = steps.render_article
def slow(*args, **kwargs):
    time.sleep(1)
    return real(*args, **kwargs)
steps.render_article = slow
sys.exit(main(sys.argv[1:]))
"""


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("no_wait", [False, True])
def test_a_second_build_into_the_folder_waits_for_the_first(tmp_path, no_wait):
    arts = tmp_path / "arts"
    for n in range(3):
        article(arts / f"a{n}.md", f"第 {n} 篇")
    out = tmp_path / "out"
    argv = ["build", str(arts), "-o", str(out), "--formats", "html", "-j", "1"]
    first = subprocess.Popen(
        [sys.executable, "-c", SLOW_BUILD, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for(lambda: (out / ".briefpress-build.lock").is_file())
        second = subprocess.run(
            [sys.executable, "-m", "briefpress", *argv, *(["--no-wait"] if no_wait else [])],
            capture_output=True,
            text=True,
            timeout=120,
        )
        running = first.poll() is None  # with --no-wait, the second ended while the first ran
    finally:
        stdout, stderr = first.communicate(timeout=120)
    assert (first.returncode, stderr) == (0, "")
    assert summary(stdout) == "3 of 3 article(s) built, 3 file(s), 0 warning(s), 0 error(s), 0 unchanged"
    if no_wait:
        assert running and second.returncode == 1
        assert second.stderr == (
            f"{out / '.briefpress-build.lock'}: error: another build into {out}/ (pid {first.pid}) is under "
            "way; nothing was built (without --no-wait, a build waits)\n"
        )
    else:
        assert second.returncode == 0
        assert second.stderr == f"waiting for another build into {out}/ (pid {first.pid}) to finish…\n"
        # it found the first one's stamps: nothing was built twice
        assert summary(second.stdout) == (
            "0 of 3 article(s) built, 0 file(s), 0 warning(s), 0 error(s), 3 unchanged"
        )
    assert not (out / ".briefpress-build.lock").exists()
    assert sorted(p.name for p in out.iterdir()) == [
        ".site.briefpress",
        "a0",
        "a1",
        "a2",
        "feed.xml",
        "index.html",
    ]


def test_the_lock_is_private_state_never_published(tmp_path):
    from briefpress.build.lock import BUILD_LOCK
    from briefpress.fields import private

    arts = tmp_path / "arts"
    article(arts / "a.md")
    out = tmp_path / "out"
    assert run("build", str(arts), "-o", str(out), "--formats", "html")[0] == 0
    (out / BUILD_LOCK).write_text("12345\n")  # as a build that is under way leaves it
    assert private(BUILD_LOCK)
    code, stdout, _ = run("publish", str(out), str(tmp_path / "site"))
    assert code == 0 and BUILD_LOCK not in stdout
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == [
        ".briefpress-published",
        "a",
        "feed.xml",
        "index.html",
    ]


# -- Ctrl-C ---------------------------------------------------------------------------------------


def test_ctrl_c_in_a_batch_leaves_a_clean_terminal_and_whole_outputs(tmp_path):
    arts = tmp_path / "arts"
    total = 40
    for n in range(total):
        article(arts / f"a{n:02d}.md", f"第 {n} 篇")
    out = tmp_path / "out"
    argv = [
        sys.executable,
        "-m",
        "briefpress",
        "build",
        str(arts),
        "-o",
        str(out),
        "--formats",
        "html",
        "-j",
        "2",
    ]
    # a terminal sends SIGINT to the whole foreground job: the build and its workers
    build = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        first = build.stdout.readline()
        assert re.fullmatch(r"\[1/40\] .*: 1 file\(s\) in \d+\.\d s\n", first), first
        os.killpg(build.pid, signal.SIGINT)
        stdout, stderr = build.communicate(timeout=60)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
    assert build.returncode == 130
    done = re.fullmatch(r"briefpress: interrupted: (\d+) built, (\d+) not started\n", stderr)
    assert done, stderr  # no "Process ForkProcess-N:", no traceback: one line
    built, not_started = int(done[1]), int(done[2])
    assert built >= 1 and built + not_started == total
    assert subprocess.run(["pgrep", "-s", str(build.pid)], capture_output=True).returncode == 1, (
        "a worker outlived it"
    )
    assert [p for p in out.rglob("*") if p.name.endswith((".tmp", ".old"))] == []
    assert not (out / ".briefpress-build.lock").exists()
    stamped = sorted(p.parent.name for p in out.glob("*/.*.briefpress"))
    assert len(stamped) >= built
    for name in stamped:  # what is in place is whole
        assert (out / name / f"{name}.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    # the next build builds the rest: every stamp left was a whole article's
    code, stdout, stderr = run("build", str(arts), "-o", str(out), "--formats", "html", "-j", "2")
    assert (code, stderr) == (0, "")
    rest = total - len(stamped)
    assert summary(stdout) == (
        f"{rest} of {total} article(s) built, {rest} file(s), 0 warning(s), 0 error(s), "
        f"{len(stamped)} unchanged"
    )


# -- articles whose sources are gone -------------------------------------------------------------


def _listed(out: Path) -> list[str]:
    """The articles the index links, and those the feed holds."""
    index = re.findall(r'href="([^"/]+)/\1\.html"', (out / "index.html").read_text(encoding="utf-8"))
    feed = re.findall(r'href="([^"/]+)/\1\.html"', (out / "feed.xml").read_text(encoding="utf-8"))
    assert sorted(set(index)) == sorted(set(feed))
    return sorted(set(index))


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    arts = tmp_path / "arts"
    for n in range(4):
        article(arts / f"a{n}.md", f"第 {n} 篇", f"2026-06-0{n + 1}")
    out = tmp_path / "out"
    assert run("build", str(arts), "-o", str(out), "--formats", "html")[0] == 0
    assert _listed(out) == ["a0", "a1", "a2", "a3"]
    return arts, out


def test_articles_whose_sources_are_gone_leave_the_index_and_the_feed(built, tmp_path):
    arts, out = built
    (arts / "a1.md").unlink()
    (arts / "a2.md").unlink()
    code, stdout, stderr = run("build", str(arts), "-o", str(out), "--formats", "html", "-v")
    assert (code, stderr) == (0, "")
    lines = stdout.splitlines()
    at = lines.index(
        "2 article(s) whose sources are gone left the index and feed; --prune removes their files"
    )
    assert lines[at + 1 : at + 3] == [
        f"left the index and feed: {out / 'a1'} (its source {(arts / 'a1.md').resolve()} is gone)",
        f"left the index and feed: {out / 'a2'} (its source {(arts / 'a2.md').resolve()} is gone)",
    ]
    assert _listed(out) == ["a0", "a3"]
    assert (out / "a1" / "a1.html").is_file()  # their files stay
    # said once; and a later build of something else into the folder does not bring them back
    code, stdout, _ = run("build", str(arts), "-o", str(out), "--formats", "html")
    assert code == 0 and "sources are gone" not in stdout
    other = article(tmp_path / "elsewhere" / "x.md", "别处")
    assert run("build", str(other), "-o", str(out), "--formats", "html")[0] == 0
    assert _listed(out) == ["a0", "a3", "x"]
    code, stdout, _ = run("publish", str(out), str(tmp_path / "site"))
    assert sorted(p.name for p in (tmp_path / "site").iterdir() if p.is_dir()) == ["a0", "a3", "x"]
    # a source that comes back is built and listed again
    article(arts / "a1.md", "第 1 篇", "2026-06-02")
    code, stdout, _ = run("build", str(arts), "-o", str(out), "--formats", "html")
    assert code == 0 and summary(stdout).startswith("1 of 3 article(s) built")
    assert _listed(out) == ["a0", "a1", "a3", "x"]


def test_a_build_of_another_folder_or_file_leaves_them_listed(built, tmp_path):
    arts, out = built
    (arts / "a1.md").unlink()
    other = article(tmp_path / "elsewhere" / "x.md", "别处")
    code, stdout, _ = run("build", str(other), "-o", str(out), "--formats", "html")
    assert code == 0 and "sources are gone" not in stdout
    assert _listed(out) == ["a0", "a1", "a2", "a3", "x"]


def test_prune_removes_only_what_briefpress_wrote(built, tmp_path):
    arts, out = built
    (arts / "a1.md").unlink()
    (arts / "a2.md").unlink()
    (out / "a2" / "notes.txt").write_text("hand-made\n")
    precious = tmp_path / "precious.html"
    precious.write_text("<p>mine</p>\n")
    (out / "a2" / "a2.html").unlink()
    (out / "a2" / "a2.html").symlink_to(precious)  # a link is never followed, nor removed
    stamp = out / "a0" / ".a0.briefpress"  # an edited stamp names more than briefpress writes
    data = json.loads((out / "a1" / ".a1.briefpress").read_text(encoding="utf-8"))
    data["files"] += ["../a0/.a0.briefpress", "../../precious.html", "a1.md"]
    (out / "a1" / ".a1.briefpress").write_text(json.dumps(data), encoding="utf-8")
    code, stdout, stderr = run("build", str(arts), "-o", str(out), "--formats", "html", "--prune", "-v")
    assert (code, stderr) == (0, "")
    lines = stdout.splitlines()
    at = lines.index("removed 2 article(s) whose sources are gone (--prune): 3 file(s)")
    assert lines[at + 1 : at + 5] == [
        f"removed {out / 'a1' / 'a1.html'}",
        f"removed {out / 'a1' / '.a1.briefpress'}",
        f"removed {out / 'a2' / '.a2.briefpress'}",
        f"kept {out / 'a2'}: it holds files briefpress did not write",
    ]
    assert not (out / "a1").exists()
    assert sorted(p.name for p in (out / "a2").iterdir()) == ["a2.html", "notes.txt"]
    assert precious.read_text() == "<p>mine</p>\n" and stamp.is_file()
    assert _listed(out) == ["a0", "a3"]


def test_serve_stops_listing_an_article_whose_source_is_deleted(built):
    from test_serve import get, start, until

    arts, out = built
    server = start(out.parent, str(arts))
    try:
        assert 'href="a2/a2.html"' in get(server.url)[2]
        first = server.generation()
        (arts / "a2.md").unlink()
        until(lambda: server.generation() > first, "a new generation")
        status, _, index = get(server.url)
        assert status == 200 and 'href="a2/a2.html"' not in index and 'href="a1/a1.html"' in index
    finally:
        code, stdout, _ = server.stop()
    assert code == 0 and "1 article(s) whose sources are gone left the index" in stdout
