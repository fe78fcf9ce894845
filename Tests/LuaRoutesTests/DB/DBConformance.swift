/// One row of the `db` conformance table: Lua run as a handler's body against a fresh database
/// with `DBSchema`, and the JSON (sorted keys) its `return` values come to. Rows say nothing of
/// the engine, so a second engine runs the same table with its own schema.
struct DBCase: Sendable, CustomStringConvertible {
    let name: String
    let lua: String
    let expected: String
    var description: String { name }
}

/// The schema every row starts from, per engine (types are spelled differently).
enum DBSchema {
    static let sqlite = """
        CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, age INTEGER CHECK (age >= 0),
                            team_id INTEGER REFERENCES teams(id));
        CREATE TABLE docs (id INTEGER PRIMARY KEY, body JSON, raw BLOB, n INTEGER, f REAL, t TEXT);
        """
}

/// docs/data.md ("db"): types both ways, placeholders, errors and their SQLSTATEs, one statement
/// per call, transactions.
enum DBConformance {
    static let cases: [DBCase] = [
        // Types, Lua -> SQL -> Lua
        DBCase(name: "int64 extremes round-trip exactly", lua: """
            db.exec("INSERT INTO docs(n) VALUES (?)", math.maxinteger)
            db.exec("INSERT INTO docs(n) VALUES (?)", math.mininteger)
            local rows = db.query("SELECT n FROM docs ORDER BY id")
            return rows[1].n == math.maxinteger, rows[2].n == math.mininteger, math.type(rows[1].n)
            """, expected: #"[true,true,"integer"]"#),
        DBCase(name: "nil and json.null bind NULL; NULL reads as json.null", lua: """
            db.exec("INSERT INTO docs(t, n) VALUES (?, ?)", nil, json.null)
            local row = db.first("SELECT t, n FROM docs")
            return row.t == json.null, row.n == json.null, row
            """, expected: #"[true,true,{"n":null,"t":null}]"#),
        DBCase(name: "floats stay floats, integers integers", lua: """
            local row = db.first("SELECT ? AS f, ? AS i, ? AS g", 1.5, 2, 2.0)
            return math.type(row.f), math.type(row.i), math.type(row.g), row.f
            """, expected: #"["float","integer","float",1.5]"#),
        DBCase(name: "booleans bind as 1 and 0", lua: """
            local row = db.first("SELECT ? AS t, ? AS f", true, false)
            return row.t, row.f
            """, expected: "[1,0]"),
        DBCase(name: "strings are binary-safe", lua: #"""
            db.exec("INSERT INTO docs(t) VALUES (?)", "a\0b\255")
            return db.first("SELECT t FROM docs").t == "a\0b\255", #db.first("SELECT t FROM docs").t
            """#, expected: "[true,4]"),
        DBCase(name: "a table binds as JSON text; a JSON column decodes", lua: """
            db.exec("INSERT INTO docs(body, t) VALUES (?, ?)", { tags = { "a", "b" }, n = 1 }, { 1, 2 })
            local row = db.first("SELECT body, t FROM docs")
            return row.body, row.t
            """, expected: #"[{"n":1,"tags":["a","b"]},"[1,2]"]"#),
        DBCase(name: "db.blob binds bytes; they come back as a string", lua: #"""
            db.exec("INSERT INTO docs(raw) VALUES (?)", db.blob("\0\1\2"))
            local row = db.first("SELECT raw, typeof(raw) AS kind FROM docs")
            return row.raw == "\0\1\2", row.kind
            """#, expected: #"[true,"blob"]"#),
        DBCase(name: "rows are a JSON array, even empty", lua: """
            return db.query("SELECT * FROM docs"), db.first("SELECT * FROM docs")
            """, expected: "[[],null]"),
        DBCase(name: "exec answers changes and last_id", lua: """
            local a = db.exec("INSERT INTO teams(name) VALUES (?)", "x")
            db.exec("INSERT INTO teams(name) VALUES (?)", "y")
            local u = db.exec("UPDATE teams SET name = name || '!'")
            return a, u.changes
            """, expected: #"[{"changes":1,"last_id":1},2]"#),

        // Placeholders
        DBCase(name: "numbered placeholders can repeat and come in any order", lua: """
            local row = db.first("SELECT $2 AS b, $1 + $1 AS a", 3, "x")
            return row.a, row.b
            """, expected: #"[6,"x"]"#),
        DBCase(name: "placeholders inside quotes, identifiers and comments are text", lua: """
            local row = db.first("SELECT '? $1' AS \\"?\\", ? AS v -- and ? here\\n /* $2 ? */", 5)
            return row["?"], row.v
            """, expected: #"["? $1",5]"#),
        DBCase(name: "mixing ? and $n raises", lua: """
            return pcall(db.query, "SELECT ?, $1", 1)
            """, expected: #"[false,"db: use either ? or $1, $2, ... placeholders in one statement, not both"]"#),
        DBCase(name: "a missing argument raises; a nil argument binds NULL", lua: """
            local ok, err = pcall(function() return db.query("SELECT ?, ?", 1) end)
            return ok, err, db.first("SELECT ? AS a, ? AS b", 1, nil)
            """, expected: #"[false,"pages/api/case.lua:2: bad argument #3 to 'query' (the statement takes 2 arguments, 1 given)",{"a":1,"b":null}]"#),
        DBCase(name: "a wrong argument type raises", lua: """
            local ok, err = pcall(function() return db.query("SELECT ?", print) end)
            return ok, err
            """, expected: #"[false,"pages/api/case.lua:2: bad argument #2 to 'query' (a value of SQL's types expected (nil, boolean, number, string, table, db.blob), got function)"]"#),

        // Errors: nil, err, sqlstate
        DBCase(name: "unique violation is 23505", lua: """
            db.exec("INSERT INTO users(email) VALUES (?)", "a@x")
            return db.exec("INSERT INTO users(email) VALUES (?)", "a@x")
            """, expected: #"[null,"db: UNIQUE constraint failed: users.email","23505"]"#),
        DBCase(name: "not null violation is 23502", lua: """
            return db.exec("INSERT INTO users(email) VALUES (NULL)")
            """, expected: #"[null,"db: NOT NULL constraint failed: users.email","23502"]"#),
        DBCase(name: "check violation is 23514", lua: """
            local _, err, state = db.exec("INSERT INTO users(email, age) VALUES (?, ?)", "b@x", -1)
            return err:sub(1, 27), state
            """, expected: #"["db: CHECK constraint failed","23514"]"#),
        DBCase(name: "foreign key violation is 23503", lua: """
            local _, _, state = db.exec("INSERT INTO users(email, team_id) VALUES (?, ?)", "c@x", 99)
            return state
            """, expected: #"["23503"]"#),
        DBCase(name: "syntax error is 42601; unknown table 42P01", lua: """
            local _, e1, s1 = db.query("SELEC 1")
            local _, e2, s2 = db.query("SELECT * FROM nope")
            return e1, s1, e2, s2
            """, expected: #"["db: near \"SELEC\": syntax error","42601","db: no such table: nope","42P01"]"#),
        DBCase(name: "one statement per call", lua: """
            local rows, err, state = db.query("SELECT 1; SELECT 2")
            return rows, err, state, db.first("SELECT 1 AS one;  -- trailing comment").one
            """, expected: #"[null,"db: one statement per call (run the next one in a call of its own, inside db.transaction if they belong together)","42601",1]"#),
        DBCase(name: "a repeated column name is an error naming it", lua: """
            return db.query("SELECT 1 AS a, 2 AS a")
            """, expected: #"[null,"db: column \"a\" appears twice in the result (alias one with AS)","42712"]"#),

        // Transactions
        DBCase(name: "transaction commits and returns fn's values", lua: """
            local a, b = db.transaction(function(x)
              db.exec("INSERT INTO teams(name) VALUES (?)", x)
              return "done", db.first("SELECT count(*) AS n FROM teams").n
            end, "t1")
            return a, b, db.first("SELECT name FROM teams").name
            """, expected: #"["done",1,"t1"]"#),
        DBCase(name: "an error inside rolls back and propagates", lua: """
            local ok, err = pcall(db.transaction, function()
              db.exec("INSERT INTO teams(name) VALUES ('gone')")
              error({ code = 7 })
            end)
            return ok, err.code, db.first("SELECT count(*) AS n FROM teams").n
            """, expected: "[false,7,0]"),
        DBCase(name: "nested transactions are savepoints", lua: """
            db.transaction(function()
              db.exec("INSERT INTO teams(name) VALUES ('outer')")
              pcall(db.transaction, function()
                db.exec("INSERT INTO teams(name) VALUES ('inner')")
                error("undo inner")
              end)
              db.transaction(function() db.exec("INSERT INTO teams(name) VALUES ('kept')") end)
            end)
            local names = {}
            for i, row in ipairs(db.query("SELECT name FROM teams ORDER BY id")) do names[i] = row.name end
            return names
            """, expected: #"[["outer","kept"]]"#),
        DBCase(name: "db.engine names the engine", lua: "return db.engine", expected: #"["sqlite"]"#),
    ]
}
