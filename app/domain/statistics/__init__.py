"""The office's statistics (统计) and exports (导出) of a round or a programme (issue 19)."""
