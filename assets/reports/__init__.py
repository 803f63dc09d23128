"""The register's own reports (issue 19): the balance at a date (资产总表) and the movements of
a period (增减变动表), as JSON, XLSX and PDF, computed from the cards' history (invariant 12).

How a card's state at a moment is reconstructed, and what the history does not record well
enough for it, is in `assets.reports.sql`.
"""
