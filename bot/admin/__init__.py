"""What operators run from the command line: broadcasts, the recruiter registry, intents,
the catalogs, and the figures and exports (also shown to staff as /stats and /export)."""
