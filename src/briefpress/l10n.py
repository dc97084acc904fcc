"""Every label that briefpress itself adds to an edition, per interface language."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "zh-Hans": {
        "brief": "阅读简报",
        "key_points": "核心观点",
        "relevance": "跟我们的关联",
        "bilingual": "双语对照",
        "original": "原文",
        "translation": "译文",
        "prompts": "讨论引子",
        "discussion": "讨论归档",
        "no_comments": "暂无讨论。",
        "footnotes": "注释",
        "date": "日期",
        "author": "作者",
        "translator": "译者",
        "editor": "编辑",
        "source": "原文链接",
        "tags": "标签",
        "contents": "目录",
        "cover": "封面",
        "digest_count": "{count} 篇文章",
        "handout_attached": "完整的双语讲义(简报、双语对照、原文、讨论引子)见附件 PDF。",
        "read_original": "阅读原文",
        "landmarks": "导览",
        "back_to_text": "返回正文",
        "note": "注",
        "page": "页",
    },
    "en": {
        "brief": "Brief",
        "key_points": "Key points",
        "relevance": "What this means for us",
        "bilingual": "Bilingual text",
        "original": "Original text",
        "translation": "Translation",
        "prompts": "Discussion prompts",
        "discussion": "Discussion archive",
        "no_comments": "No comments yet.",
        "footnotes": "Notes",
        "date": "Date",
        "author": "Author",
        "translator": "Translator",
        "editor": "Editor",
        "source": "Source",
        "tags": "Tags",
        "contents": "Contents",
        "cover": "Cover",
        "digest_count": "{count} articles",
        "handout_attached": (
            "The full bilingual handout (brief, bilingual text, original, prompts) is attached as a PDF."
        ),
        "read_original": "Read the original",
        "landmarks": "Landmarks",
        "back_to_text": "Back to text",
        "note": "Note",
        "page": "Page",
    },
}


def labels(lang: str) -> dict[str, str]:
    return LABELS[lang]
