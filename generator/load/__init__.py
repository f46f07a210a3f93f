"""Reading the content folder: one article's bytes into an `Article`, and the whole newsroom.

Parses and discovers only: every problem of a file becomes a finding on it; nothing here
decides whether anything is public (that is `generator.gate.decide`).
"""
