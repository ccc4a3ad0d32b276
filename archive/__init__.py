"""The SQLite archive of newscrawl: captures, articles, revisions and Korean full-text search.

It never imports Scrapy or newscrawl, so it can be used (and queried) on its own.
"""
