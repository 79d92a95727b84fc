"""Emails about funding, one module per part of the journey; each registers its message kinds
with ``mail`` when the app loads (``FundingConfig.ready``)."""
