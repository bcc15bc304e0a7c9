"""Expert review (专家评审): scorebooks as data, scoring arithmetic, reports (the pure half), and the
review service around them (the pool, conflicts, panels, sheets, consensus, ranking).

The pure modules (``schema``, ``registry``, ``scoring``, ``reports``) touch neither the database nor
the API; the service modules (``pool``, ``panels``, ``scoresheets``, ``ranking``, ``report_files``,
``discipline``) load and store, then call them for the arithmetic and the documents.

- ``schema`` / ``registry``: the scorebooks (评分手册) under ``scorebooks/`` and which programme
  category uses which (``programme_books.yaml``), validated when loaded.
- ``scoring``: item scores from percentage bands, sheet totals, panel medians and outliers,
  ranking and departures from rank order.
- ``reports``: the evaluation and feedback reports as PDF, score sheets and rankings as .xlsx/CSV.
"""
