# scrapyd-deploy builds the egg it uploads to Scrapyd with ``python setup.py bdist_egg``; the
# project's metadata, packages and data files are all in pyproject.toml.
from setuptools import setup

setup()
