"""The editor's commands that are not a build: signing, fixing, scaffolding, audit, diff and
report. Each works on the layers below and writes files only through `build.atomic`.
"""
