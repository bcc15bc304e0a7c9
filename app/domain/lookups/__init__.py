"""Lookup values (代码表): the codes the API takes, with their Chinese names, from one place."""
