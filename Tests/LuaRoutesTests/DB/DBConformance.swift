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
    static let postgres = """
        -- several statements, a comment; and a quoted ';' the splitter must not cut at
        CREATE TABLE teams (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL DEFAULT ';');
        CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL UNIQUE, age INTEGER CHECK (age >= 0),
                            team_id BIGINT REFERENCES teams(id));
        CREATE TABLE docs (id BIGSERIAL PRIMARY KEY, body JSONB, raw BYTEA, n BIGINT, f DOUBLE PRECISION, t TEXT);
        CREATE TYPE mood AS ENUM ('happy', 'sad');
        CREATE TABLE kinds (id BIGSERIAL PRIMARY KEY, amount NUMERIC(12, 2), u UUID, at TIMESTAMPTZ, local TIMESTAMP,
                            day DATE, m mood, tags TEXT[], small SMALLINT, r REAL, j JSON, c VARCHAR(10));
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

/// The same table on PostgreSQL: rows whose answer differs (server messages, booleans, no
/// last_id, text cannot hold NUL) are replaced by name, and PostgreSQL's own types are added.
extension DBConformance {
    static let postgresOverrides: [String: DBCase] = Dictionary(uniqueKeysWithValues: [
        DBCase(name: "booleans bind as 1 and 0", lua: """
            local row = db.first("SELECT ? AS t, ? AS f", true, false)
            return row.t, row.f
            """, expected: "[true,false]"),
        DBCase(name: "strings are binary-safe", lua: #"""
            db.exec("INSERT INTO docs(t) VALUES (?)", "h\u{e9}llo")
            local _, err, state = db.exec("INSERT INTO docs(t) VALUES (?)", "a\0b")
            return db.first("SELECT t FROM docs").t == "h\u{e9}llo", state
            """#, expected: #"[true,"22021"]"#),
        DBCase(name: "db.blob binds bytes; they come back as a string", lua: #"""
            db.exec("INSERT INTO docs(raw) VALUES (?)", db.blob("\0\1\2\255"))
            local row = db.first("SELECT raw, pg_typeof(raw)::text AS kind FROM docs")
            return row.raw == "\0\1\2\255", row.kind
            """#, expected: #"[true,"bytea"]"#),
        DBCase(name: "exec answers changes and last_id", lua: """
            local a = db.exec("INSERT INTO teams(name) VALUES (?)", "x")
            db.exec("INSERT INTO teams(name) VALUES (?)", "y")
            local u = db.exec("UPDATE teams SET name = name || '!'")
            return a, a.last_id, u.changes, db.first("INSERT INTO teams(name) VALUES ('z') RETURNING id").id
            """, expected: #"[{"changes":1},null,2,3]"#),
        DBCase(name: "unique violation is 23505", lua: """
            db.exec("INSERT INTO users(email) VALUES (?)", "a@x")
            return db.exec("INSERT INTO users(email) VALUES (?)", "a@x")
            """, expected: #"[null,"db: duplicate key value violates unique constraint \"users_email_key\"","23505"]"#),
        DBCase(name: "not null violation is 23502", lua: """
            return db.exec("INSERT INTO users(email) VALUES (NULL)")
            """, expected: #"[null,"db: null value in column \"email\" of relation \"users\" violates not-null constraint","23502"]"#),
        DBCase(name: "check violation is 23514", lua: """
            local _, err, state = db.exec("INSERT INTO users(email, age) VALUES (?, ?)", "b@x", -1)
            return err, state
            """, expected: #"["db: new row for relation \"users\" violates check constraint \"users_age_check\"","23514"]"#),
        DBCase(name: "syntax error is 42601; unknown table 42P01", lua: """
            local _, e1, s1 = db.query("SELEC 1")
            local _, e2, s2 = db.query("SELECT * FROM nope")
            return e1, s1, e2, s2
            """, expected: #"["db: syntax error at or near \"SELEC\"","42601","db: relation \"nope\" does not exist","42P01"]"#),
        DBCase(name: "db.engine names the engine", lua: "return db.engine", expected: #"["postgres"]"#),
    ].map { ($0.name, $0) })

    static let postgresOnly: [DBCase] = [
        DBCase(name: "pg: numeric is an exact string, uuid lower-case, dates and times as ISO text", lua: """
            db.exec("INSERT INTO kinds(amount, u, at, local, day) VALUES (?, ?, ?, ?, ?)", "12.5",
                    "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "2024-01-01T00:00:00Z", "2024-02-29 13:14:15.25", "1999-12-31")
            return db.first("SELECT amount, u, at, local, day FROM kinds")
            """, expected: #"[{"amount":"12.50","at":"2024-01-01T00:00:00Z","day":"1999-12-31","local":"2024-02-29T13:14:15.25","u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}]"#),
        DBCase(name: "pg: numeric extremes and signs stay exact", lua: """
            local row = db.first("SELECT -0.001::numeric AS a, 123456789012345678901234567890.5::numeric AS b, 0::numeric AS c, 10000::numeric AS d, 'NaN'::numeric AS e")
            return row.a, row.b, row.c, row.d, row.e
            """, expected: #"["-0.001","123456789012345678901234567890.5","0","10000","NaN"]"#),
        DBCase(name: "pg: int2/int4/int8/float4 and NULL by type", lua: """
            local row = db.first("SELECT 7::int2 AS a, 2147483647::int4 AS b, (-9223372036854775807 - 1)::int8 AS c, 1.5::float4 AS d, NULL::int4 AS e")
            return math.type(row.a), row.b, row.c == math.mininteger, row.d, row.e
            """, expected: #"["integer",2147483647,true,1.5,null]"#),
        DBCase(name: "pg: json and jsonb decode; an enum reads as its label; varchar is text", lua: """
            db.exec("INSERT INTO kinds(j, m, c) VALUES (?, ?, ?)", { a = { 1, 2 } }, "sad", "v")
            local row = db.first([[SELECT j, m, c, '{"k": [true, null]}'::jsonb AS b FROM kinds]])
            return row.j, row.m, row.c, row.b
            """, expected: #"[{"a":[1,2]},"sad","v",{"k":[true,null]}]"#),
        DBCase(name: "pg: a type db cannot read is an error naming the column and the cast", lua: """
            db.exec("INSERT INTO kinds(tags) VALUES ('{a,b}')")
            local rows, err, state = db.query("SELECT tags FROM kinds")
            return rows, err, state, db.first("SELECT tags::text AS tags FROM kinds").tags
            """, expected: #"[null,"db: column \"tags\" has a type db cannot read (PostgreSQL type oid 1009); cast it in the query, e.g. tags::text","0A000","{a,b}"]"#),
        DBCase(name: "pg: strings are untyped, so the server infers int, jsonb and timestamptz", lua: """
            db.exec("INSERT INTO docs(n, body) VALUES (?, ?)", "42", '{"x": 1}')
            local row = db.first("SELECT n, body, ?::timestamptz AS at FROM docs WHERE n = ?", "2024-01-01 12:00:00+02", "42")
            return row.n, row.body, row.at
            """, expected: #"[42,{"x":1},"2024-01-01T10:00:00Z"]"#),
        DBCase(name: "pg: a wrong value for the column's type is an error with its SQLSTATE", lua: """
            local _, err, state = db.exec("INSERT INTO docs(n) VALUES (?)", "not a number")
            return err, state
            """, expected: #"["db: invalid input syntax for type bigint: \"not a number\"","22P02"]"#),
        DBCase(name: "pg: COMMIT of a failed transaction answers nil, err, sqlstate", lua: """
            local a, err, state = db.transaction(function()
              db.exec("INSERT INTO teams(name) VALUES ('a')")
              db.exec("INSERT INTO nope VALUES (1)")
              return "returned"
            end)
            return a, state, db.first("SELECT count(*) AS n FROM teams").n
            """, expected: #"[null,"25P02",0]"#),
    ]

    static var postgresCases: [DBCase] {
        cases.map { postgresOverrides[$0.name] ?? $0 } + postgresOnly
    }
}
