"""The generic page profile: one method per field, which CMS profiles override.

A profile answers from the markup it knows; whatever it returns None for falls back
to the page's metadata (JSON-LD, OpenGraph, ``article:*``) in ``newscrawl.extract``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from newscrawl.extract.dom import SKIP_TAGS, Element, lines_of, text_of
from newscrawl.extract.meta import PageMeta
from newscrawl.extract.select import PageIndex, Selector
from newscrawl.extract.teaser import in_teaser
from newscrawl.extract.visibility import is_hidden, out_of_sight, visible_text


def css(selector: str) -> Selector:
    """A selector compiled once at import: selectors run on every page."""
    return Selector(selector)


# Containers of article text on Korean news sites, most specific first.
BODY = css(
    "#article-view-content-div, #dic_area, #articleBodyContents, #newsEndContents,"
    " #bo_v_con, [itemprop=articleBody], #articleBody, #article_body, #articeBody,"
    " #news_body_id, #newsContent, #news_content, #articleText, #article_content,"
    " #CmAdContent, #textBody, #news-contents, #adiContents, .article_txt,"
    " .news_cnt_detail_wrap, .article_body, .article-body, .article_view, .view_con,"
    " .news_body, .story-news, .article-text, .cont-body,"
    # Named by the scrapers that read broadcasters', agencies' and business papers' pages
    # (KBS, news1, 한국경제, 서울신문, 세계일보, 노컷, 다음, 서울경제), and NDSoft's misspelt skin.
    " #cont_newstext, #newsct_article, #articletxt, #articles_detail, #news_body_area,"
    " #atic_txt1, #article_txt, #pnlContent, #harmonyContainer, #v-article-content,"
    " .article-veiw-body, .news_txt, .detail-body, .art_body, .at_contents, .cont_article"
)
# Class and id values that name an article's text, for templates no list knows:
# "m-view-body", "mArticleBody", "news_body_area", "articleTxt". A wrapper ("…-wrap")
# or a box of teasers ("news_list") is not one.
_BODY_NAME = re.compile(
    r"(?:[a-z]{1,4}[-_]?)?(?:article|news|view|story|entry|detail)[-_]?"
    r"(?:body|contents?|text|txt|cont)(?:[-_]?(?:area|div|box))?",
    re.I,
)
MIN_CONTAINER = 80  # characters of text; less is a teaser or an empty template box
HEADINGS = css("h1, h2, h3")
# Elements that templates name as the headline, wherever they sit and whatever their tag.
HEADLINES = css(
    ".headline, .article_title, .article-title, .news_title, .news-title, .view_title,"
    " .view-title, .tit_view, .art_tit"
)
SUBTITLE = css(
    ".sub-tit-ll, .mid_title, .sub_title, .subtitle, .sub-title, .news_subtitle, h2.subheading,"
    " .article-subtitle, .sub_tit, .title_sub, .summary_title, .deck, .subheadline"
)
BYLINE = css(
    ".byline, .reporter, .writer, .journalist, dl.author, .author-info, .article-writer,"
    " .reporter_info, .news_reporter, .art_writer, .writer_info, [rel=author]"
)

# Parts of a body container that are never article text, by class or id. Short tokens
# match whole words only, so "ad" does not hit "head" nor "thread".
_SKIP_TOKENS = re.compile(
    r"(?:^|[\s_-])(?:ad|ads|adv|advert|advertisement|banner|related|relation|recommend|"
    r"share|sns|social|copyright|caption|byline|reporter|writer|journalist|tag|tags|"
    r"keyword|keywords|comment|comments|reply|subscribe|promotion|popular|ranking|"
    r"footer|sidebar|btn|button|toolbar|print|sound_only|blind|summary|hidden|hide|"
    r"invisible|offscreen|sr-only|screen_out|screen-out|screen-reader-text|a11y|"
    r"visuallyhidden|stock|outlink|profile|more_news|newsletter)(?:$|[\s_-])",
    re.I,
)
_SKIP_PARTS = re.compile(
    r"articlePhoto|photo_desc|img_desc|end_photo|photo-layout|view_photo|imgbox|img_box|"
    r"relate|recommend|adsbygoogle|google_ad|dable|taboola|copyright|view-copyright|"
    r"article-writer|reporter_area|journalist|article_relation|vod_area|guide_categorization|"
    r"ai_summary|news_summary|sub_title|summary_area|module-quote|pull-?quote|more-articles|"
    r"more_articles|sub-tit|"
    # Photo boxes and their captions, however a template spells them.
    r"(?:photo|img|image|pic|figure)[-_]?(?:box|area|wrap|desc|caption|cap|txt|text|info|zone)",
    re.I,
)


def skip_element(el: Element) -> bool:
    """True for elements inside a body container that are not article text."""
    if el.tag in SKIP_TAGS:
        return True
    classes, id_ = el.get("class"), el.get("id")
    if (classes or id_) and _skipped_names(classes, id_):
        return True
    return is_hidden(el)


# A site's template repeats the same few hundred class and id values on every page.
@lru_cache(maxsize=4096)
def _skipped_names(classes: str | None, id_: str | None) -> bool:
    attrs = f"{classes or ''} {id_ or ''}"
    return bool(_SKIP_TOKENS.search(attrs) or _SKIP_PARTS.search(attrs))


# Class or id words of the reporter boxes templates print after the article.
_BOX_NAMES = re.compile(r"reporter|journalist|byline|writer|author|kija|gija", re.I)
_NOT_BOX = re.compile(r"comment|cmt|reply|review|footer", re.I)
MAX_BOX_LINES = 16


class Profile:
    """Field extraction for pages of no known CMS; subclasses narrow it to one family.

    A family is mostly data: its selectors below. Where a selector is None, or selects
    nothing, the field falls back to the generic rules and then to the page's metadata.
    """

    name = "generic"
    TITLE: Selector | None = None  # the printed headline
    SUBTITLE: Selector = SUBTITLE  # the deck; <br> lines are kept
    BYLINE: Selector = BYLINE  # reporter names and e-mails, in page order
    DATES: Selector | None = None  # where 입력/수정 lines are printed
    SECTION: Selector | None = None
    CONTENT: Selector | None = None  # the article text's container
    # Whether a name alone in a BYLINE element is a reporter: not where it is an account.
    BARE_NAMES = True

    def __init__(self, index: PageIndex, meta: PageMeta, url: str) -> None:
        self.index = index
        self.root = index.root
        self.meta = meta
        self.url = url

    @classmethod
    def matches(cls, index: PageIndex, meta: PageMeta, url: str) -> bool:
        """Whether this profile's CMS made the page (fingerprinting the markup)."""
        return True

    def title(self) -> str | None:
        """The headline as printed on the page, None to fall back to metadata."""
        return first_text(self.index, self.TITLE) if self.TITLE else None

    def subtitle(self) -> str | None:
        """The deck (sub-headline), lines joined by newlines."""
        for el in self.SUBTITLE(self.index)[:3]:
            text = lines_text(el)
            if 4 <= len(text) <= 400:
                return text
        return None

    def byline_texts(self) -> list[str]:
        """Raw strings that name the reporters, in page order; not the writers of other
        articles that lists of columns and related news print with the same class."""
        found = [el for el in self.BYLINE(self.index) if not in_teaser(el)]
        texts = (text_of(el) for el in found[:8])
        return [text for text in texts if 2 <= len(text) <= 120]

    def byline_boxes(self) -> list[str]:
        """Short lines of elements whose class or id names a reporter box (``reporter_box``,
        ``journalist-info``), for pages whose bylines no selector knows."""
        texts: list[str] = []
        for el in self.root.iter():
            names = f"{el.get('class') or ''} {el.get('id') or ''}"
            if len(names) < 5 or not _BOX_NAMES.search(names) or _NOT_BOX.search(names):
                continue
            if not isinstance(el.tag, str) or el.tag in SKIP_TAGS or out_of_sight(el):
                continue
            if in_teaser(el):
                continue
            lines = lines_of(el, lambda e: e.tag in SKIP_TAGS)
            texts.extend(line.text for line in lines[:4] if 2 <= len(line.text) <= 120)
            # A box prints the name, the e-mail and links on one line, each in its element.
            parts = (text_of(child) for child in el.iterdescendants() if isinstance(child.tag, str))
            texts.extend([part for part in parts if 2 <= len(part) <= 40][:6])
            if len(texts) >= MAX_BOX_LINES:
                break
        return texts

    def date_text(self) -> str:
        """Visible text where the page prints 입력/수정 lines."""
        return " ".join(text_of(el) for el in self.DATES(self.index)) if self.DATES else ""

    def section(self) -> str | None:
        return first_text(self.index, self.SECTION) if self.SECTION else None

    def body_container(self) -> Element | None:
        """The element holding the article text, or None to let trafilatura find it."""
        if self.CONTENT and (found := self.CONTENT(self.index)):
            return found[0]
        best = None
        for el in BODY(self.index):
            if len(text_of(el)) >= MIN_CONTAINER:
                return el
            best = best if best is not None else el
        named = named_container(self.root)
        return named if named is not None else best

    def skip(self, el: Element) -> bool:
        """Whether an element inside the body container is left out of the text."""
        return skip_element(el)


def named_container(root: Element) -> Element | None:
    """The visible element with the most text among those whose class or id names an
    article body (``_BODY_NAME``), or None when none holds ``MIN_CONTAINER`` characters.
    Inside it, a named element that holds most of that text is the tighter choice: a
    "view_content" wrapper around the "article_txt" also holds buttons and comments."""
    found: list[tuple[Element, int]] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
            continue
        if not _names_body(el.get("class"), el.get("id")) or out_of_sight(el):
            continue
        if (length := len(text_of(el))) >= MIN_CONTAINER:
            found.append((el, length))
    if not found:
        return None
    best, best_len = max(found, key=lambda pair: pair[1])
    for el, length in found:  # document order: an inner match comes after its wrapper
        if el is not best and length >= 0.7 * best_len and best in el.iterancestors():
            best = el  # keep best_len: each tighter choice is measured against the largest
    return best


# Boxes whose names also fit _BODY_NAME: "cmt_view_txt" (a comment), "preview_text" (a teaser).
_NOT_BODY_NAME = re.compile(r"comment|cmt|reply|review|footer|relat|recom|popular|rank|side", re.I)


@lru_cache(maxsize=4096)
def _names_body(classes: str | None, id_: str | None) -> bool:
    names = f"{classes or ''} {id_ or ''}".split()
    if any(_NOT_BODY_NAME.search(name) for name in names):
        return False
    return any(_BODY_NAME.fullmatch(name) for name in names)


def first_text(index: PageIndex, select: Selector) -> str | None:
    """The visible text of the first selected element that has any."""
    for el in select(index):
        text = visible_text(el)
        if text:
            return text
    return None


def lines_text(el: Element) -> str:
    """An element's text with <br> and blocks kept as newlines (decks printed over lines)."""
    return "\n".join(line.text for line in lines_of(el, lambda e: e.tag in SKIP_TAGS))
