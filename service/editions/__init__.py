"""Editions: the reports of one series read together. Initiative identity across
editions (`linking`) and reviewers' corrections of it (`linkedit`), the editions of a
series in order (`order`), facts paired between two editions (`factdiff`), review-assist
flags and series data (`series`), a re-issue's decisions carried over from its edition
(`carryover`), and the answers of the editions endpoints (`views`,
`schemas`).

May import: storage.
"""
