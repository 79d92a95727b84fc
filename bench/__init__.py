"""`make bench`: Pipeline at national scale.

``python -m bench`` builds a synthetic national data set in a PostgreSQL database of its own
(``dataset``), serves the site with gunicorn under ``pipeline.settings.bench``, loads it from a
separate asyncio client (``client``), and checks the results against the performance budget in
DESIGN.md §6 (``budgets``). See the README's "Performance" section.
"""
