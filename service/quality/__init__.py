"""Quality from reviews: every reviewer decision is a label (confirm: right; correct or
reject: wrong; a fact added by hand: a miss). From the stored decisions, by SQL
aggregates on each call, precision per extractor, kind, report and series with Wilson
intervals, misses and recall on pages marked complete, a reliability table and drift
flags (`report`, shapes in `schemas`, the terminal's tables in `table`); and the
confidence refitted per extractor on this deployment's decisions, kept in the database
and brought up to date on demand (`refit`), which the review queue orders by.

May import: storage; not extractor/.
"""
