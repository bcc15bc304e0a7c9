"""Eligibility (申报条件) that explains itself, and the bans on (re-)applying (重复申报限制)."""
