"""Application materials (申报材料) and the application form (申报表): stored, checked, frozen at submit."""
