-- Why a case is urgent: the screener's indicators (bot/screener.py), comma-separated
-- keys such as 'documents,violence'; NULL when it is not urgent.
ALTER TABLE cases ADD COLUMN urgent_reasons TEXT;

-- Where the person lives now in Cambodia (a key of data/provinces_kh.csv, or 'unsaid'):
-- asked once, kept on the person and copied to each case, for figures by home province.
ALTER TABLE users ADD COLUMN home_province TEXT;
ALTER TABLE cases ADD COLUMN home_province TEXT;
