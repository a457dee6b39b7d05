"""The hotline's rules as data, free of Telegram and SQL: a case's statuses, moves and effects."""
