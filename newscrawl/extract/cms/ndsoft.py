"""NDSoft news CMS (``/news/articleView.html?idxno=N``), run by many regional papers."""

from __future__ import annotations

from newscrawl.extract.cms.base import Profile, css, first_text, lines_text
from newscrawl.extract.dom import Element, text_of
from newscrawl.extract.meta import PageMeta
from newscrawl.extract.select import PageIndex

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
    def matches(cls, index: PageIndex, meta: PageMeta, url: str) -> bool:
        return "articleView.html" in url or bool(_CONTENT(index))

    def title(self) -> str | None:
        return first_text(self.index, _TITLE)

    def subtitle(self) -> str | None:
        for el in _SUBTITLE(self.index):
            text = lines_text(el)
            if text:
                return text
        return None

    def byline_texts(self) -> list[str]:
        texts = [text_of(el) for el in _NAMES(self.index)]
        mails = [text_of(el) for el in _MAILS(self.index)]
        return [t for t in texts + mails if t]

    def date_text(self) -> str:
        return " ".join(text_of(el) for el in _INFO(self.index))

    def section(self) -> str | None:
        return first_text(self.index, _SECTION)

    def body_container(self) -> Element | None:
        found = _CONTENT(self.index)
        return found[0] if found else super().body_container()
