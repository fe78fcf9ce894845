-- Applied once by serve, test and `luaroutes migrate`; add 002_....sql files for later changes.
CREATE TABLE notes (
  id INTEGER PRIMARY KEY,
  text TEXT NOT NULL
);
