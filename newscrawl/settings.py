"""Scrapy settings of newscrawl: polite by default, every project setting prefixed and documented.

Override any of them per run with ``-s NAME=VALUE``.
"""

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
COMMANDS_MODULE = "newscrawl.commands"

# --- Project settings -------------------------------------------------------------------------
# Where the archive lives (a SQLite file, created with its schema on first use).
ARCHIVE_DB_PATH = "archive/news.db"
# Saves are committed in groups (each save stays atomic in its own savepoint): a commit is the
# dearest part of a save. A crash loses at most the last group, which the next run refetches.
ARCHIVE_COMMIT_EVERY = 100
ARCHIVE_COMMIT_SECONDS = 1.0
# The site registry; a run can point at another file (tests do).
NEWSCRAWL_SITES_FILE = None  # None: the sites.toml shipped inside the package
# Archived articles published less than this many days ago are fetched again, to catch the
# corrections newspapers make in an article's first days.
NEWSCRAWL_REVISIT_DAYS = 2
# A person or address a webmaster can reach; it is part of the User-Agent.
NEWSCRAWL_CONTACT = "https://github.com/newscrawl/newscrawl"
# Safety bound on list pagination per list, whatever the other stop rules say.
NEWSCRAWL_MAX_LIST_PAGES = 200
# An article URL shape (digits as placeholders) that gave this many non-article pages and no
# article is not fetched again for the rest of the run (newscrawl.shapes); 0 turns it off.
NEWSCRAWL_NOT_ARTICLE_SHAPE_HITS = 3
# Section/list pages of a generic site without sitemap or feed, taken from its home page.
NEWSCRAWL_GENERIC_LIST_PAGES = 10
# Longest wait honoured from a Retry-After header, and the base of exponential backoff.
NEWSCRAWL_RETRY_MAX_DELAY = 300.0
NEWSCRAWL_RETRY_BACKOFF_BASE = 5.0

# Worker processes for extraction (pure CPU): "auto" is one per CPU, at most 4, and none on
# one CPU; 0 extracts inline in the crawler process.
NEWSCRAWL_EXTRACT_WORKERS = "auto"
# How much lower the workers' scheduling priority is (os.nice): the crawler process, which
# downloads and writes the archive, goes first; the workers use the CPU it leaves.
NEWSCRAWL_EXTRACT_NICE = 10

# The crawler process's garbage collector (newscrawl.extensions.GcTuning): what exists once
# the spider is open is frozen out of its walks, and it runs after this many allocations
# (Python's default: 700, 10, 10).
NEWSCRAWL_GC_THRESHOLDS = [50_000, 20, 20]

# --- Politeness -------------------------------------------------------------------------------
# The User-Agent names the project and a contact; built from NEWSCRAWL_CONTACT when unset.
USER_AGENT = None
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "newscrawl"  # the token robots.txt rules name us by
CONCURRENT_REQUESTS = 16  # across sites: a run covers dozens of papers at once
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False
# Scrapy runs this many coroutines per response to handle its output (default 100); an article
# page yields one item, so 100 idle coroutines a page only cost CPU.
CONCURRENT_ITEMS = 16

# --- Robustness -------------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
# A resolver answers in milliseconds; Scrapy's 60 s default made a dead DNS server cost
# minutes per site. A name that fails twice is not looked up again in the run.
DNS_TIMEOUT = 10
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # no article page is bigger; a sitemap may come close
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# The spider's errbacks log each give-up once, with the site and the reason; Scrapy's own
# "Gave up retrying" line (ERROR by default) would say it a second time.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
DOWNLOADER_MIDDLEWARES = {
    # Replaced by a retry that waits: Retry-After when the server gives it, backoff otherwise.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newscrawl.middlewares.QuickMetaRefreshMiddleware": 580,
    # Before robots.txt (100): a shape learned as not an article costs nothing to refuse.
    "newscrawl.shapes.NotArticleShapes": 90,
    # Scrapy's, plus a flag on a gzip body cut short (Scrapy keeps what it read, silently).
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newscrawl.middlewares.CheckedHttpCompressionMiddleware": 590,
}
EXTENSIONS = {
    "newscrawl.extensions.GcTuning": 0,
    "newscrawl.jobdir.JobDir": 0,  # crash-safe resumes; a finished job's JOBDIR is removed
}
ITEM_PIPELINES = {
    "newscrawl.pipelines.ExtractPipeline": 300,
    "newscrawl.since.SincePipeline": 400,  # -a since: drops articles published before it
    "newscrawl.pipelines.ArchivePipeline": 800,
    # With -o/-O (FEEDS) only: the exporters get JSON-friendly records, not raw bytes.
    "newscrawl.feeds.FeedRecordPipeline": 900,
}

# --- Scrapy defaults the project relies on ----------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
# A cron job opens no listening ports.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
