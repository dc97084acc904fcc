"""Traditional Chinese editions (``--script hant``): every Chinese text of the article
converted with OpenCC's phrase-level profiles (``s2twp``: Taiwan, with its words, the
default; ``s2hk``: Hong Kong). The English original is left as it is; so is code."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from markdown_it.token import Token

from ..model import Article

#: the language tag of the converted text
HANT = "zh-Hant"


@cache
def converter(profile: str) -> Callable[[str], str]:
    import opencc  # about 0.1 s to load its dictionaries: only for Traditional editions

    return opencc.OpenCC(profile).convert


def _convert_tokens(tokens: list[Token], convert: Callable[[str], str]) -> None:
    for token in tokens:
        if token.type in ("text", "image"):  # an image's content is its alt text
            token.content = convert(token.content)
        title = token.attrGet("title") if token.type == "image" else None
        if title:
            token.attrSet("title", convert(str(title)))
        if token.children:
            _convert_tokens(token.children, convert)


def to_traditional(article: Article, profile: str = "s2twp") -> None:
    """Convert ``article``'s Chinese to Traditional Chinese, in place."""
    from . import chinese_inlines, map_chinese_fields

    convert = converter(profile)
    map_chinese_fields(article, convert)
    for inline in chinese_inlines(article):
        _convert_tokens(inline, convert)
    if article.meta.translation_lang.lower().startswith("zh"):
        article.meta.translation_lang = HANT
