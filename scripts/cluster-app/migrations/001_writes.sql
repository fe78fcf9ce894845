-- One row per write the cluster check's clients send; the client picks the id, so a retried
-- write can never make a second row.
CREATE TABLE writes (
  id bigint PRIMARY KEY,
  host text NOT NULL,
  written_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
