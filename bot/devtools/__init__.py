"""Developer tools: an in-memory Telegram Bot API and a console to chat with the real bot."""
