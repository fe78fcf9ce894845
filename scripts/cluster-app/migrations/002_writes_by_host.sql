-- The check counts writes per host.
CREATE INDEX writes_host ON writes (host);
