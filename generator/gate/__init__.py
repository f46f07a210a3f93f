"""The gate: the rule table and `decide`, the one place that says what is public.

Every rule is in `gate.rules` and listed in `gate.decide.RULES`; pages, feeds, search,
sitemap and manifest are derived from the decision and never decide again.
"""
