"""Benchmarks: a seeded corpus generator and timing script (`make bench`)."""
