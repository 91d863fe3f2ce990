"""Storage, export and search of parsed documents: SQLite through sqlite-utils, JSON Lines."""
