"""GnuBoard 5 boards (``/bbs/board.php?bo_table=X&wr_id=N``) that small papers run as their site."""

from __future__ import annotations

from newscrawl.extract.cms.base import Profile, css
from newscrawl.extract.meta import PageMeta
from newscrawl.extract.select import PageIndex


class GnuBoardProfile(Profile):
    """The basic board view skin and the themes derived from it."""

    name = "gnuboard"
    TITLE = css("#bo_v_title .bo_v_tit, #bo_v_title")
    # The poster is an account name: often the reporter, sometimes "관리자" or the paper
    # itself, which byline parsing rejects; the article's own credit line wins anyway.
    BYLINE = css("#bo_v_info .sv_member, #bo_v_info .sv_guest, #bo_v_info .member")
    BARE_NAMES = False
    DATES = css("#bo_v_info")  # 작성일YY-MM-DD HH:MM
    SECTION = css("#bo_v_title .bo_v_cate, .bo_v_cate")
    CONTENT = css("#bo_v_con")

    @classmethod
    def matches(cls, index: PageIndex, meta: PageMeta, url: str) -> bool:
        return bool(cls.CONTENT(index)) or ("/bbs/board.php" in url and "wr_id=" in url)
