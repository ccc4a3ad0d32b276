"""GnuBoard 5 boards (``/bbs/board.php?bo_table=X&wr_id=N``) that small papers run as their site."""

from __future__ import annotations

from newscrawl.extract.cms.base import Profile, css, first_text
from newscrawl.extract.dom import Element, text_of
from newscrawl.extract.meta import PageMeta
from newscrawl.extract.select import PageIndex

_TITLE = css("#bo_v_title .bo_v_tit, #bo_v_title")
_INFO = css("#bo_v_info")
_WRITER = css("#bo_v_info .sv_member, #bo_v_info .sv_guest, #bo_v_info .member")
_CONTENT = css("#bo_v_con")
_CATEGORY = css("#bo_v_title .bo_v_cate, .bo_v_cate")


class GnuBoardProfile(Profile):
    """The basic board view skin and the themes derived from it."""

    name = "gnuboard"

    @classmethod
    def matches(cls, index: PageIndex, meta: PageMeta, url: str) -> bool:
        return bool(_CONTENT(index)) or ("/bbs/board.php" in url and "wr_id=" in url)

    def title(self) -> str | None:
        return first_text(self.index, _TITLE)

    def byline_texts(self) -> list[str]:
        # The poster is an account name: often the reporter, sometimes "관리자" or the
        # paper itself, which byline parsing rejects.
        return [t for t in (text_of(el) for el in _WRITER(self.index)) if t]

    def date_text(self) -> str:
        return " ".join(text_of(el) for el in _INFO(self.index))

    def section(self) -> str | None:
        return first_text(self.index, _CATEGORY)

    def body_container(self) -> Element | None:
        found = _CONTENT(self.index)
        return found[0] if found else super().body_container()
