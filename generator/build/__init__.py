"""Producing a site on disk: the build cache, page keys, the search index, staging and the
atomic swap, verification, and the runtime machinery (forking, the cyclic collector).

The only layer that forks, touches `gc` or starts child processes.
"""
