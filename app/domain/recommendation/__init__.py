"""Recommendation (推荐): the units that recommend applicants and what they cover."""
