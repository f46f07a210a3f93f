"""congress-site: a static-site generator for a People's Congress publicity office.

The core (model, loader, gate, listings, feeds, manifest) imports nothing from mkdocs;
`generator.mkdocs_plugin` is the thin adapter that calls it from mkdocs events.
"""

__version__ = "0.1.0"
