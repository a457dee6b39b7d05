-- python-telegram-bot persistence: conversation positions and user_data, as JSON.
CREATE TABLE ptb_conversations (
    name  TEXT NOT NULL,
    key   TEXT NOT NULL,   -- JSON array, e.g. [chat_id, user_id]
    state TEXT NOT NULL,   -- JSON value
    PRIMARY KEY (name, key)
);
CREATE TABLE ptb_user_data (
    user_id INTEGER PRIMARY KEY,
    data    TEXT NOT NULL  -- JSON object
);
