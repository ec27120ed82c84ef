"""Review: a reviewer's decisions on extracted facts. Confirm, correct, reject or reopen
one fact under optimistic locking, each decision an append-only `review_event` with
the next change number (`actions`); a corrected value checked against its kind (`values`).

May import: storage.
"""
