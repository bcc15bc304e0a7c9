"""Retention (资料保存, changning-37): legal holds, and purging what is past its retention period."""
