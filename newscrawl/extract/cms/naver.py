"""Naver News article pages (``n.news.naver.com``), which carry copies of many outlets' articles."""

from __future__ import annotations

from newscrawl.extract.cms.base import Profile, css
from newscrawl.extract.meta import PageMeta
from newscrawl.extract.select import PageIndex

_STAMPS = css(
    ".media_end_head_info_datestamp_time[data-date-time],"
    " .media_end_head_info_datestamp_time[data-modify-date-time]"
)


class NaverProfile(Profile):
    """The 2023+ ``newsct`` template and the older ``articleBodyContents`` one."""

    name = "naver"
    TITLE = css("#title_area, .media_end_head_headline, #articleTitle, .end_tit, h2.end_tit")
    SUBTITLE = css("strong.media_end_summary, .media_end_summary")
    BYLINE = css(
        ".media_end_head_journalist_name, .byline_s, .byline p, .byline span,"
        " .journalist_name, .media_journalistcard_summary_name_text"
    )
    DATES = css(".media_end_head_info_datestamp, .sponsor, .article_info .info, .info")
    CONTENT = css("#dic_area, #articleBodyContents, #newsEndContents, #articeBody")

    @classmethod
    def matches(cls, index: PageIndex, meta: PageMeta, url: str) -> bool:
        return "news.naver.com" in url or "| 네이버" in (meta.get("og:article:author") or "")

    def date_text(self) -> str:
        # The 2023 template prints relative times; exact ones are in data-date-time,
        # the first being publication and a second the last update, which later pages
        # carry in data-modify-date-time instead.
        stamps = _STAMPS(self.index)
        if not stamps:
            return super().date_text()
        labels = ("입력", "수정")
        return " ".join(
            f"{labels[min(i, 1)]} {el.get('data-date-time') or el.get('data-modify-date-time')}"
            for i, el in enumerate(stamps)
        )
