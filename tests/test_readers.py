"""Readers declare themselves (one module, one line in READERS), the JSON reader and its
schema, and articles given in memory: ``briefpress.build`` with dicts and ``Article``
objects, ``Article.from_markdown``/``to_markdown`` round trips."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import briefpress
from briefpress import sources
from briefpress.cli import main
from briefpress.errors import Report, SourceError
from briefpress.model import Article, walk
from briefpress.options import Options
from briefpress.sources import BaseReader, read_article
from briefpress.sources.jsonarticle import schema
from conftest import AS_WRITTEN, EXAMPLE, ROOT
from strategies import article_source

ARTICLE = {
    "title": "标题: 一个 #测试 'quoted' \"double\"",
    "date": "2026-06-09",
    "slug": "from-json",
    "summary": "verdict: yes # not a comment",
    "tags": ["AI: 战略", "#tag"],
    "key_points": ["**要点** 内容"],
    "prompts": ["这意味着什么？"],
    "original": [
        {"heading": "A start"},
        "Hello <b>raw</b> world.[^1]",
        {"code": "x = 1\n```\n# not a section", "language": "py"},
        {"table": [["a", "b|c"], ["1", "2"]]},
        {"footnote": "1", "text": "A note."},
    ],
    "translation": [
        {"heading": "开始"},
        "你好 <b>世界</b>。[^1]",
        {"code": "x = 1\n```\n# not a section", "language": "py"},
        {"table": [["甲", "乙|丙"], ["1", "2"]]},
        {"footnote": "1", "text": "注释。"},
    ],
    "discussion": [{"author": "Neta*", "date": "2026-06-10", "text": "很好。"}],
}


def run(*argv: str) -> tuple[int, str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def view(article: Article) -> dict:
    """What an article is, without where its lines are: meta and every token's content."""

    def tokens(items):
        return [(t.type, t.tag, t.content, t.info, t.markup, dict(t.attrs)) for t in walk(items or [])]

    return {
        "meta": article.meta,
        "brief": [
            (item.label, tokens(item.body.tokens)) for item in [*article.key_points, *article.relevance]
        ],
        "split": (len(article.key_points), len(article.relevance)),
        "prompts": [tokens(p.tokens) for p in article.prompts],
        "original": [(b.kind, tokens(b.tokens)) for b in article.original],
        "translation": None
        if article.translation is None
        else [(b.kind, tokens(b.tokens)) for b in article.translation],
        "notes": [(n.label, n.number, tokens(n.original), tokens(n.translation)) for n in article.footnotes],
        "discussion": None
        if article.discussion is None
        else [(c.author, c.date, tokens(c.body.tokens)) for c in article.discussion],
        "images": [image.name for image in article.images],
    }


# -- the JSON reader ---------------------------------------------------------------------


def test_a_json_article_reads_as_the_markdown_it_writes(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(ARTICLE, ensure_ascii=False, indent=2), encoding="utf-8")
    article = read_article(path, Report(), AS_WRITTEN)
    assert article.meta.title == ARTICLE["title"] and article.meta.summary == ARTICLE["summary"]
    assert article.meta.tags == ["AI: 战略", "#tag"] and article.meta.slug == "from-json"
    assert [b.kind for b in article.original] == ["heading2", "paragraph", "code", "table"]
    assert article.original[1].text == "Hello <b>raw</b> world." and article.original[1].note_labels == ["1"]
    assert article.original[2].text == "x = 1\n```\n# not a section"
    assert "b|c" in article.original[3].text
    assert article.discussion and article.discussion[0].author == "Neta*"
    again = Article.from_markdown(article.to_markdown(), folder=tmp_path)
    assert view(again) == view(article)


def test_a_schema_error_names_the_file_the_line_and_the_pointer(tmp_path):
    bad = dict(ARTICLE, original=[*ARTICLE["original"][:2], {"code": 3}])
    path = tmp_path / "bad.json"
    text = json.dumps(bad, ensure_ascii=False, indent=2)
    path.write_text(text, encoding="utf-8")
    code, _, err = run("build", str(path), "-o", str(tmp_path / "out"), "--formats", "html")
    line = next(n for n, content in enumerate(text.split("\n"), 1) if '"code": 3' in content)
    assert code == 1
    [message] = [m for m in err.splitlines() if "error" in m]
    assert message == (
        f"{path}:{line}: error: /original/2/code: 3 is not of type 'string' "
        "(see briefpress/schemas/article.schema.json)"
    )


def test_a_json_syntax_error_names_its_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "title": "t",\n  "date": 2026-06-09\n}\n', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_article(path, Report())
    assert caught.value.line == 3 and "not valid JSON" in caught.value.message


def test_a_key_written_twice_is_an_error_at_its_second_line(tmp_path):
    path = tmp_path / "twice.json"
    path.write_text(
        '{\n  "title": "t",\n  "date": "2026-06-09",\n  "original": "first",\n  "original": "second"\n}\n',
        encoding="utf-8",
    )
    code, _, err = run("build", str(path), "-o", str(tmp_path / "out"), "--formats", "html")
    assert code == 1 and not (tmp_path / "out").exists()
    assert err.splitlines()[0] == (
        f"{path}:5: error: key 'original' appears twice in one object; keep one (JSON keeps only the last)"
    )


def test_a_note_of_two_paragraphs_stays_one_note():
    data = dict(ARTICLE, original=["Hello.[^1]", {"footnote": "1", "text": "First.\n\nSecond."}])
    data["translation"] = ["你好。[^1]", {"footnote": "1", "text": "一。\n\n二。"}]
    article = sources.read_given(data, 1, Report(), Options())
    assert [block.text for block in article.original] == ["Hello."]
    [note] = article.footnotes
    assert [t.content for t in walk(note.original) if t.type == "inline"] == ["First.", "Second."]


@pytest.mark.parametrize(
    ("original", "message"),
    [
        (
            ["a[^1]", {"footnote": "1", "text": "x"}, {"footnote": "1", "text": "y"}],
            "/original/2: footnote '1' is defined twice in /original (first at /original/1); "
            "give each note its own label",
        ),
        (
            [{"heading": "Head\nline"}, "a"],
            "/original/0/heading: 'Head\\nline' does not match '^[^\\\\n]*$' "
            "(see briefpress/schemas/article.schema.json)",
        ),
    ],
)
def test_what_the_editions_would_silently_change_is_an_error(tmp_path, original, message):
    data = {"title": "t", "date": "2026-06-09", "original": original}
    with pytest.raises(SourceError) as caught:
        sources.read_given(data, 1, Report(), Options())
    assert caught.value.message == message


def test_build_names_what_it_cannot_build(tmp_path):
    result = briefpress.build([42], output=tmp_path / "out")
    assert [str(e) for e in result.errors] == ["cannot build int 42: give a path, an Article or a dict"]
    assert not (tmp_path / "out").exists()


def test_a_draft_stays_a_draft_when_written_again(tmp_path):
    text = "---\ntitle: T\ndate: 2026-06-09\ndraft: true\n---\n\n# 原文\n\nA.\n"
    again = Article.from_markdown(Article.from_markdown(text, name="d").to_markdown(), name="d")
    assert "\ndraft: true\n" in again.to_markdown()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "d.md").write_text(again.to_markdown(), encoding="utf-8")
    result = briefpress.build([tmp_path / "src"], output=tmp_path / "out", formats="html")
    assert [reason for _, reason in result.skipped] == ["draft"] and not result.outputs


def test_a_json_file_in_a_folder_is_an_article_when_it_looks_like_one(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(ARTICLE, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "package.json").write_text('{"name": "site", "version": "1.0.0"}\n', encoding="utf-8")
    result = briefpress.build([tmp_path], output=tmp_path / "out", formats="html")
    assert result.ok, result.errors
    assert [p.name for p in result.outputs if p.suffix == ".html"] == ["from-json.html"]


def test_the_schema_is_published_valid_and_names_every_front_matter_key():
    from jsonschema import Draft202012Validator

    from briefpress.sources.frontmatter import FRONT_MATTER_KEYS

    Draft202012Validator.check_schema(schema())
    assert set(FRONT_MATTER_KEYS) <= set(schema()["properties"])
    assert (ROOT / "src" / "briefpress" / "schemas" / "article.schema.json").is_file()


def test_the_lint_reads_a_json_article_at_its_own_lines(tmp_path):
    path = tmp_path / "a.json"
    data = dict(
        ARTICLE, translation=[*ARTICLE["translation"][:1], "你好,世界。[^1]", *ARTICLE["translation"][2:]]
    )
    text = json.dumps(data, ensure_ascii=False, indent=2)
    path.write_text(text, encoding="utf-8")
    code, out, _ = run("check", "--typography", str(path))
    line = next(n for n, content in enumerate(text.split("\n"), 1) if "你好,世界" in content)
    found = out.splitlines()
    assert code == 1 and found[0].startswith(f"{path}:2: half-width punctuation")  # the title's ':'
    assert any(f.startswith(f"{path}:{line}: half-width punctuation") and "你好,世界" in f for f in found)


def test_check_typography_honours_prefer(tmp_path):
    """A dump whose copies disagree is linted as a build reads it: an error without
    --prefer (it used to be linted with the pairs' text whatever was asked)."""
    from test_import import SEED, mutate

    dump = tmp_path / "page.txt"
    dump.write_text(mutate(SEED.read_text(encoding="utf-8"), 83), encoding="utf-8")
    code, _, err = run("check", "--typography", str(dump))
    assert code == 1 and "--prefer" in err
    for prefer in ("pairs", "sections"):
        code, out, err = run("check", "--typography", str(dump), "--prefer", prefer)
        assert "--prefer" not in err and "typography finding(s) in 1 source(s)" in err, err


# -- a reader is one module and one line ------------------------------------------------------


class ToyReader(BaseReader):
    """A toy: ``*.toy`` files of 'title | date | original | translation' on one line."""

    name = "toy"
    file_extensions = ("toy",)
    describes = "a toy"

    def sniff(self, head: str) -> bool:
        return head.startswith("toy|")

    def markdown(self, path, text, report):
        _, title, date, original, translation = text.strip().split("|")
        data = {"title": title, "date": date, "original": original, "translation": translation}
        return sources.json_markdown(data, path)


def test_a_toy_reader_is_one_class_and_one_registration_line(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "READERS", [*sources.READERS, ToyReader])  # the registration line
    (tmp_path / "one.toy").write_text("toy|玩具|2026-06-09|A toy.|一个玩具。\n", encoding="utf-8")
    (tmp_path / "other.toy").write_text("not a toy\n", encoding="utf-8")
    result = briefpress.build([tmp_path], output=tmp_path / "out", formats="html")
    assert result.ok, result.errors
    page = (tmp_path / "out" / "one" / "one.html").read_text(encoding="utf-8")
    assert "玩具" in page and "A toy." in page and "一个玩具。" in page
    assert not (tmp_path / "out" / "other").exists()


# -- articles from memory ---------------------------------------------------------------------


def test_build_takes_dicts_and_articles(tmp_path):
    article = Article.from_markdown(EXAMPLE.read_text(encoding="utf-8"), name="example")
    result = briefpress.build([ARTICLE, article], output=tmp_path / "out", formats="html,epub")
    assert result.ok, result.errors
    names = sorted(p.name for p in result.outputs)
    assert names == ["example.epub", "example.html", "from-json.epub", "from-json.html"]
    again = briefpress.build([ARTICLE, article], output=tmp_path / "out", formats="html,epub")
    assert again.unchanged == 2  # stamped from their text: nothing to rebuild
    stamp = json.loads((tmp_path / "out" / "example" / ".example.briefpress").read_text(encoding="utf-8"))
    assert stamp["source"] == "<given:example>"  # its own name, not a path under the cwd
    code, out, err = run("check", str(tmp_path / "out"), "--no-epubcheck", "--no-reading")
    assert code == 1 and "an article given in memory" in err and "Traceback" not in err


def test_a_bad_dict_is_an_error_naming_it(tmp_path):
    result = briefpress.build({"title": "t", "date": "2026-06-09", "slug": "bad"}, output=tmp_path)
    assert [str(e) for e in result.errors] == [
        "<given:bad>: /: 'original' is a required property (see briefpress/schemas/article.schema.json)"
    ]


TEST_ARTICLES = sorted(
    [*(ROOT / "tests" / "articles").glob("*/*.md"), *(ROOT / "tests" / "seed").glob("*.txt"), EXAMPLE]
)


@pytest.mark.parametrize("path", TEST_ARTICLES, ids=lambda p: p.name)
def test_read_write_read_gives_the_same_article(path):
    article = sources.reader_for(path).read(path, Report())
    again = Article.from_markdown(article.to_markdown(), name=article.meta.slug, folder=path.parent)
    assert view(again) == view(article)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article_source())
def test_generated_articles_round_trip(text):
    article = Article.from_markdown(text)
    assert view(Article.from_markdown(article.to_markdown())) == view(article)


_VALUE = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]), min_size=1).filter(
    lambda value: value.strip() == value and value not in ("~", "null")
)


@settings(max_examples=60, deadline=None)
@given(title=_VALUE, summary=_VALUE, tag=_VALUE)
def test_front_matter_values_survive_the_writer(title, summary, tag):
    """Colons, '#', quotes, YAML words ('yes', '~'): what a dict says is what is read."""
    data = {**ARTICLE, "title": title, "summary": summary, "tags": [tag]}
    article = sources.read_given(data, 1, Report(), AS_WRITTEN)
    assert (article.meta.title, article.meta.summary, article.meta.tags) == (title, summary, [tag])
    again = Article.from_markdown(article.to_markdown())
    assert again.meta == article.meta
