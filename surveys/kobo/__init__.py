"""KoboToolbox pulled directly: a saved source (models.KoboSource), its API client
(``client``), the conversion of JSON submissions to the rows of an XLSX export
(``submissions``) and the pull itself, a background job (``pulling``).

A pull becomes a workbook shaped like KoboToolbox's own XLSX export, so that it goes
through the very same preview, apply and undo as an uploaded file.
"""
