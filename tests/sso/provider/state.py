"""How the test provider behaves now; the tests change it through /control/ (one process)."""

MODE = "normal"  # normal | wrong_audience | expired | forged_signature | unverified
