"""Naver News article pages (``n.news.naver.com``), which carry copies of many outlets' articles."""

from __future__ import annotations

from newscrawl.extract.cms.base import Profile, css, first_text, lines_text
from newscrawl.extract.dom import Element, text_of
from newscrawl.extract.meta import PageMeta
from newscrawl.extract.select import PageIndex

_CONTENT = css("#dic_area, #articleBodyContents, #newsEndContents, #articeBody")
_TITLE = css("#title_area, .media_end_head_headline, #articleTitle, .end_tit, h2.end_tit")
_SUBTITLE = css("strong.media_end_summary, .media_end_summary")
_STAMPS = css(".media_end_head_info_datestamp_time[data-date-time]")
_INFO = css(".media_end_head_info_datestamp, .sponsor, .article_info .info, .info")
_NAMES = css(
    ".media_end_head_journalist_name, .byline_s, .byline p, .byline span,"
    " .journalist_name, .media_journalistcard_summary_name_text"
)


class NaverProfile(Profile):
    """The 2023+ ``newsct`` template and the older ``articleBodyContents`` one."""

    name = "naver"

    @classmethod
    def matches(cls, index: PageIndex, meta: PageMeta, url: str) -> bool:
        return "news.naver.com" in url or "| 네이버" in (meta.get("og:article:author") or "")

    def title(self) -> str | None:
        return first_text(self.index, _TITLE)

    def subtitle(self) -> str | None:
        for el in _SUBTITLE(self.index):
            text = lines_text(el)
            if text:
                return text
        return None

    def byline_texts(self) -> list[str]:
        return [t for t in (text_of(el) for el in _NAMES(self.index)) if t]

    def date_text(self) -> str:
        stamps = _STAMPS(self.index)
        if stamps:
            labels = ("입력", "수정")
            return " ".join(
                f"{labels[min(i, 1)]} {el.get('data-date-time')}" for i, el in enumerate(stamps)
            )
        return " ".join(text_of(el) for el in _INFO(self.index))

    def body_container(self) -> Element | None:
        found = _CONTENT(self.index)
        return found[0] if found else super().body_container()
