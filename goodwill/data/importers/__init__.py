"""Importers from other help desks: each reads one vendor's export into plain records (base.py)
that one writer (writer.py) turns into Goodwill rows, idempotently and in resumable batches."""
