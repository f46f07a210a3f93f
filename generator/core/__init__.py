"""The bottom layer: the front-matter model, findings and their codes, the clock, the
sign-off policy, the site's configuration and registries (staff, wording, footer).

Imports nothing from the layers above; never reads an article's body, never decides.
"""
