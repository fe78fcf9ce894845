CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL);
INSERT INTO users(name, email) VALUES ('John Doe', 'john@example.com'), ('Ada', 'ada@example.com');
