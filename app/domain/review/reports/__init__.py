"""Review documents people read: the reports as PDF in Chinese, score sheets and rankings as .xlsx and CSV.

Pure functions from plain data (``documents``) to bytes; storing them (with their hash) is the
review service's job.
"""
