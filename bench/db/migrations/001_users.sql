-- Explicit ids: the same file runs on SQLite and PostgreSQL (bench/db-http.sh uses both).
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL);
INSERT INTO users(id, name, email) VALUES (1, 'John Doe', 'john@example.com'), (2, 'Ada', 'ada@example.com');
