"""Expert review (专家评审), the pure half: scorebooks as data, scoring arithmetic, reports.

Nothing here touches the database or the API: the review service (panels, assignments, score
submission) loads and stores, then calls these functions for the arithmetic and the documents.

- ``schema`` / ``registry``: the scorebooks (评分手册) under ``scorebooks/`` and which programme
  category uses which (``programme_books.yaml``), validated when loaded.
- ``scoring``: item scores from percentage bands, sheet totals, panel medians and outliers,
  ranking and departures from rank order.
- ``reports``: the evaluation and feedback reports as PDF, score sheets and rankings as .xlsx/CSV.
"""
