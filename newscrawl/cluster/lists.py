"""``ListsOnHold`` for a crawl cluster: the state shared by every node, in Redis.

On one machine a generic site's section pages, found on its home page, are walked only when
its robots.txt, feeds and sitemaps have all answered and none listed a page
(``newscrawl.crawl.lists``). In a cluster the home page, each answer and each list are
handled by whichever node takes them, so the held pages, the awaited answers and the count
of listed pages live in Redis, and the last answer's node walks the held pages, whichever
node held them. The last node to finish deletes the keys with the queue.
"""

from __future__ import annotations

import json
from typing import Any

# Whether the site's last awaited answer came: then its held pages, once, and only when
# no feed or sitemap listed a page. KEYS: waiting set, held key, listed counter; ARGV: url.
_ANSWERED = """
if ARGV[1] ~= '' then
  redis.call('SREM', KEYS[1], ARGV[1])
end
if redis.call('SCARD', KEYS[1]) > 0 then
  return false
end
local held = redis.call('GET', KEYS[2])
if not held then
  return false
end
redis.call('DEL', KEYS[2])
if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then
  return false
end
return held
"""


def lists_prefix(spider: str) -> str:
    """Where a spider's shared lists state lives in Redis (beside its queue and dupefilter)."""
    return f"{spider}:lists"


class SharedLists:
    """The ``ListsOnHold`` interface over Redis keys ``PREFIX:SITE:...``."""

    def __init__(self, server: Any, *, prefix: str) -> None:
        self.server = server
        self.prefix = prefix
        self._answered = server.register_script(_ANSWERED)

    def _key(self, site: str, kind: str) -> str:
        return f"{self.prefix}:{site}:{kind}"

    def hold(self, site: str, urls: list[str]) -> None:
        """Keep ``urls`` (list pages) until the site's own lists have answered."""
        self.server.set(self._key(site, "held"), json.dumps(list(dict.fromkeys(urls))))

    def asked(self, site: str, url: str) -> bool:
        """Note a robots.txt, feed or sitemap request; False when any node asked it before."""
        if not self.server.sadd(self._key(site, "asked"), url):
            return False
        self.server.sadd(self._key(site, "waiting"), url)
        return True

    def listed(self, site: str) -> None:
        """A feed or sitemap listed a page of the site."""
        self.server.incr(self._key(site, "listed"))

    def answered(self, site: str, url: str | None) -> list[str]:
        """Note an answer (or a failure) to ``url``; the held list pages to walk now."""
        keys = [self._key(site, k) for k in ("waiting", "held", "listed")]
        held = self._answered(keys=keys, args=[url or ""])
        return json.loads(held) if held else []

    def clear(self) -> None:
        """Forget every site's state: the crawl is over (or starts afresh)."""
        keys = list(self.server.scan_iter(match=f"{self.prefix}:*", count=1000))
        if keys:
            self.server.delete(*keys)
