"""A site's coverage page (``/DB/sites/NAME/coverage``): articles per month as an inline SVG
chart, the ids gone with their reasons, and the holes with the command that retries them;
``/DB/sites/-/coverage`` lists the sites. The numbers are archive.coverage's, the ones
``python -m archive coverage`` prints."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from archive import coverage
from archive.datasette_plugin.links import ArchiveUrls

# The reading room's check of a database and the reader's permissions.
from archive.datasette_plugin.views import _archive

__all__ = ["COVERAGE_INDEX_ROUTE", "COVERAGE_ROUTE", "coverage_index", "coverage_page"]

COVERAGE_ROUTE = r"^/(?P<database>[^/]+)/sites/(?P<site>[^/-][^/]*)/coverage$"
COVERAGE_INDEX_ROUTE = r"^/(?P<database>[^/]+)/sites/-/coverage$"
_TABLES = ["articles", "article_ids", "site_claims"]
#: Hole ranges listed on the page (the CLI's --json lists them all).
HOLES_SHOWN = 200


def month_chart(months: dict[str, int], thin: list[str]) -> Markup:
    """Articles per month as an SVG bar chart; thin months in another colour, each bar with
    its month and count as a tooltip."""
    if not months:
        return Markup("")
    span = list(coverage.month_span(min(months), max(months)))
    bar, gap, height, top = 14, 3, 120, max(months.values())
    width = len(span) * (bar + gap) + 40
    parts = [
        f'<svg class="newscrawl-chart" role="img" width="{width}" height="{height + 40}" '
        f'viewBox="0 0 {width} {height + 40}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>Articles per month, {escape(span[0])} to {escape(span[-1])}</title>",
        f'<text x="0" y="10" font-size="10">{top}</text>',
    ]
    for i, month in enumerate(span):
        count = months.get(month, 0)
        h = round(height * count / top) if top else 0
        x, y = 30 + i * (bar + gap), 15 + height - h
        colour = "#d9480f" if month in thin else "#1c7ed6"
        parts.append(
            f'<rect x="{x}" y="{y}" width="{bar}" height="{h}" fill="{colour}">'
            f"<title>{escape(month)}: {count} articles</title></rect>"
        )
        if month.endswith("-01") or i == 0:
            parts.append(f'<text x="{x}" y="{height + 30}" font-size="9">{escape(month)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _site_from(request: Any) -> str:
    return unquote(request.url_vars["site"])


async def coverage_page(datasette: Any, request: Any) -> Response:
    database = await _archive(datasette, request, _TABLES)
    site = _site_from(request)
    db = datasette.get_database(database)
    names = await db.execute_fn(coverage.sites)
    if site not in names:
        raise NotFound(f"No site {site} in this archive")
    report = await db.execute_fn(lambda conn: coverage.report(conn, site))
    urls = ArchiveUrls(datasette, database)
    context = {
        "report": report,
        "chart": month_chart(report.months, report.thin_months),
        "holes_shown": HOLES_SHOWN,
        "list_total": report.claims.get(coverage.LIST_TOTAL),
        "sitemap_urls": report.claims.get(coverage.SITEMAP_URLS),
        "ids_table": urls.table("article_ids"),
        "database": database,
        "table": "sites",
        "sites": names,
        "coverage_url": lambda name: f"{urls.table('sites')}/{name}/coverage",
    }
    html = await datasette.render_template(
        "newscrawl/coverage.html", context, request=request, view_name="newscrawl_coverage"
    )
    return Response.html(html)


async def coverage_index(datasette: Any, request: Any) -> Response:
    database = await _archive(datasette, request, _TABLES)
    db = datasette.get_database(database)

    def reports(conn: Any) -> list[coverage.SiteCoverage]:
        return [coverage.report(conn, name) for name in coverage.sites(conn)]

    urls = ArchiveUrls(datasette, database)
    html = await datasette.render_template(
        "newscrawl/coverage_index.html",
        {
            "reports": await db.execute_fn(reports),
            "database": database,
            "table": "sites",
            "coverage_url": lambda name: f"{urls.table('sites')}/{name}/coverage",
        },
        request=request,
        view_name="newscrawl_coverage",
    )
    return Response.html(html)
