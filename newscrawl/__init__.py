"""newscrawl: a Scrapy crawler and SQLite archiver for Korean regional news sites."""
