"""The operator's commands: backup and restore, loading the yearly holiday notice."""
