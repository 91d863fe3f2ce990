"""The Scrapy project and the `ndrc-policy` command line."""
