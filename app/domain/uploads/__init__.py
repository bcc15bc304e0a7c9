"""Uploaded materials (申报材料): what a file is, judged by its content, never by its name."""
