"""The licensing authority's core: project wiring and the licensing domain (Art. 6)."""

import os

# openpyxl switches to lxml's parser whenever lxml is installed (pyHanko brings it, issue 20);
# the spreadsheets applicants upload are read with the standard parser behind defusedxml
# instead, whose refusals (entity declarations, external entities) the import tells the user
# about (licensing/exchange/reading.py, tests/exchange/test_import_safety.py). Set before
# anything imports openpyxl: it reads the variable once, at import.
os.environ.setdefault("OPENPYXL_LXML", "False")

from licensing.celery import app as celery_app

__all__ = ("celery_app",)
