"""Storage: what is kept and where. Settings (`config`), engines and migrations (`db`,
`migrations/`), the tables (`models`) and the shapes they are shown in (`schemas`), the
change sequence of the records feed (`sequence`), API tokens (`tokens`), uploaded PDFs
in the database or on disk (`blobs`), the upload spool (`files`), page images
(`render`), UTC timestamps (`timeutil`).

May import: nothing else in service/, and not extractor/.
"""
