"""NDSoft news CMS (``/news/articleView.html?idxno=N``), run by many regional papers."""

from __future__ import annotations

from newscrawl.extract.cms.base import Profile, css
from newscrawl.extract.meta import PageMeta
from newscrawl.extract.select import PageIndex


class NDSoftProfile(Profile):
    """The articleView template, 2018 ("user-container") and 2024 ("atlview") skins."""

    name = "ndsoft"
    # The table skin before 2018 prints them in td.view_t and td.view_sub_t.
    TITLE = css("h1.heading, .article-head-title, .article-view-header h1, h3.heading, .view_t")
    SUBTITLE = css("h2.subheading, .article-head-sub, .article-view-header h2, .view_sub_t")
    # The reporter box repeats the byline with a mailto: link; dable:author meta is the
    # fallback (newscrawl.extract.fields).
    BYLINE = css(
        "li.info-name, .info-name, .article-writer-name, .info-text .name, .writer,"
        " a.article-writer-mail, .article-writer a[href^='mailto:']"
    )
    # 업데이트 with the original 입력 nested under it (2024 skin), or 입력/수정/승인 lines.
    DATES = css(".information-container, .info-group, .infomation, .info-text, .article-head-info")
    SECTION = css(".section-name, .article-head .section, .article-view-header .shoulder")
    CONTENT = css("#article-view-content-div")

    @classmethod
    def matches(cls, index: PageIndex, meta: PageMeta, url: str) -> bool:
        return "articleView.html" in url or bool(cls.CONTENT(index))
