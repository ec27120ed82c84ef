"""Review: a reviewer's decisions on extracted facts. Confirm, correct, reject or reopen
one fact under optimistic locking, or revert it to an earlier version, each decision an
append-only `review_event` with the next change number (`actions`); a corrected value
checked against its kind (`values`); municipalities named exactly or searched (`municipalities`);
facts a reviewer adds or moves, pages marked complete (`additions`).

May import: storage.
"""
