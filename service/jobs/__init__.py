"""Jobs: getting PDFs in and extracted. Register an upload as a queued report
(`intake`), the one door into extractor/ in a fork-server child process (`extracting`,
`extract_warm`), workers that claim the queue and store results once (`worker`,
`store`), `relato ingest` (`ingest`) and re-extraction that keeps reviewers' decisions
(`reextract`, `reextract_structure`).

May import: storage, review, editions.
"""
