"""The applicant registry (申报主体): organisations and individuals, and the facts criteria read."""
