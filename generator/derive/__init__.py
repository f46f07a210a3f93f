"""What the decision implies: the publication (pages, listings, views), feeds, search
records, sitemap, page meta and the manifest. Renderer-independent.
"""
