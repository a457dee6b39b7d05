"""What the bot knows from data/ and the recruiter registry: the loaders, and the matching
over them (recruiters, intents, the screener, provinces, staff case search)."""
