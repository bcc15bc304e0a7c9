"""The public credit platform (信用平台): its records as facts, what they change (issue 18)."""
