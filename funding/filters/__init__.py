"""The funding listings' FilterSets, one module per part of the journey; each is shared by
the HTML page and the API."""
