"""SQLite storage through aiosqlite. Nothing here imports telegram."""
