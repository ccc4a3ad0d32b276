"""NDSoft news CMS (``/news/articleView.html?idxno=N``), run by many regional papers."""

from __future__ import annotations

from lxml.html import HtmlElement

from newscrawl.extract.cms.base import Profile, css, first_text, lines_text
from newscrawl.extract.dom import text_of
from newscrawl.extract.meta import PageMeta

_CONTENT = css("#article-view-content-div")
_TITLE = css("h1.heading, .article-head-title, .article-view-header h1, h3.heading")
_SUBTITLE = css("h2.subheading, .article-head-sub, .article-view-header h2")
_INFO = css(".information-container, .info-group, .infomation, .info-text, .article-head-info")
_NAMES = css("li.info-name, .info-name, .article-writer-name, .info-text .name, .writer")
_MAILS = css("a.article-writer-mail, .article-writer a[href^='mailto:']")
_SECTION = css(".section-name, .article-head .section, .article-view-header .shoulder")


class NDSoftProfile(Profile):
    """The articleView template, 2018 ("user-container") and 2024 ("atlview") skins."""

    name = "ndsoft"

    @classmethod
    def matches(cls, root: HtmlElement, meta: PageMeta, url: str) -> bool:
        return "articleView.html" in url or bool(_CONTENT(root))

    def title(self) -> str | None:
        return first_text(self.root, _TITLE)

    def subtitle(self) -> str | None:
        for el in _SUBTITLE(self.root):
            text = lines_text(el)
            if text:
                return text
        return None

    def byline_texts(self) -> list[str]:
        texts = [text_of(el) for el in _NAMES(self.root)]
        mails = [text_of(el) for el in _MAILS(self.root)]
        return [t for t in texts + mails if t] + super().byline_texts()

    def date_text(self) -> str:
        return " ".join(text_of(el) for el in _INFO(self.root))

    def section(self) -> str | None:
        return first_text(self.root, _SECTION)

    def body_container(self) -> HtmlElement | None:
        found = _CONTENT(self.root)
        return found[0] if found else super().body_container()
