"""The options object: what follows from another option is computed, not kept."""

from __future__ import annotations

import pickle

from briefpress.options import Options


def test_what_follows_the_script_is_computed_again_on_every_copy():
    assert Options().replace(script="hant").replace(script="hans") == Options()
    hant = Options().replace(script="hant")
    assert (hant.lang_ui, hant.cjk_font, hant.mono_font) == (
        "zh-Hant",
        "Noto Serif CJK TC",
        "Noto Sans Mono CJK TC",
    )
    assert Options(script="hant").replace(paper="A5").cjk_font == "Noto Serif CJK TC"
    assert Options(script="hant").replace(paper="A5").replace(script="hans").lang_ui == "zh-Hans"


def test_a_chosen_value_is_kept_whatever_the_script():
    chosen = Options(cjk_font="Noto Serif CJK TC", lang_ui="en").replace(script="hant").replace(script="hans")
    assert (chosen.cjk_font, chosen.lang_ui) == ("Noto Serif CJK TC", "en")
    assert chosen.cjk_sans_font == "Noto Sans CJK SC"


def test_a_copy_sent_to_a_worker_keeps_what_it_derived():
    hant = pickle.loads(pickle.dumps(Options(script="hant")))
    assert hant == Options(script="hant") and hant.replace(script="hans") == Options()


def test_a_value_given_is_chosen_even_when_it_is_the_default():
    """--script hant --cjk-font 'Noto Serif CJK SC' --lang-ui zh-Hans: as given (the CLI and
    briefpress.toml pass only what was given)."""
    given = Options().replace(script="hant", cjk_font="Noto Serif CJK SC", lang_ui="zh-Hans")
    assert (given.cjk_font, given.lang_ui, given.cjk_sans_font) == (
        "Noto Serif CJK SC",
        "zh-Hans",
        "Noto Sans CJK TC",
    )
    assert given.replace(paper="A5").cjk_font == "Noto Serif CJK SC"


def test_a_flag_on_by_default_is_turned_off_by_its_opposite_or_by_briefpress_toml(tmp_path, monkeypatch):
    """--fix-punctuation is on unless --keep-punctuation (or --no-fix-punctuation, or
    ``fix_punctuation = false`` in briefpress.toml) says otherwise; the command line wins."""
    from briefpress.cli import make_parser
    from briefpress.cli.commands import _overrides
    from briefpress.errors import UsageError
    from briefpress.options import load

    def given(*flags: str) -> object:
        return _overrides(make_parser(None).parse_args(["build", "a.md", *flags])).get("fix_punctuation")

    assert Options().fix_punctuation is True
    assert (given(), given("--fix-punctuation"), given("--keep-punctuation")) == (None, True, False)
    assert given("--no-fix-punctuation") is False
    try:
        given("--fix-punctuation", "--keep-punctuation")
    except UsageError as exc:
        assert "not allowed with" in exc.message
    else:
        raise AssertionError("both flags at once were taken")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefpress.toml").write_text("fix_punctuation = false\n")
    assert load().fix_punctuation is False
    assert load({"fix_punctuation": True}).fix_punctuation is True
