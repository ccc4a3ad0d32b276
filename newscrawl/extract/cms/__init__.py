"""CMS profiles, one module per family, chosen by fingerprinting the markup."""

from __future__ import annotations

from newscrawl.extract.cms.base import Profile
from newscrawl.extract.cms.gnuboard import GnuBoardProfile
from newscrawl.extract.cms.naver import NaverProfile
from newscrawl.extract.cms.ndsoft import NDSoftProfile
from newscrawl.extract.dom import Element
from newscrawl.extract.meta import PageMeta
from newscrawl.extract.select import PageIndex

# Most specific first; the generic Profile answers when none matches.
PROFILES: tuple[type[Profile], ...] = (NDSoftProfile, GnuBoardProfile, NaverProfile)


def choose_profile(root: Element, meta: PageMeta, url: str) -> Profile:
    """The profile of the CMS that made this page, else the generic one."""
    index = PageIndex(root)
    for cls in PROFILES:
        if cls.matches(index, meta, url):
            return cls(index, meta, url)
    return Profile(index, meta, url)


__all__ = [
    "PROFILES",
    "GnuBoardProfile",
    "NDSoftProfile",
    "NaverProfile",
    "Profile",
    "choose_profile",
]
