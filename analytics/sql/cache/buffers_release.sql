-- After the maturity tables are computed whole and checkpointed: the blocks DuckDB keeps
-- cached from that work (tens of MB with national data) are evicted by lowering the memory
-- limit (a block of the store is read again if needed), so the status of a date computed
-- next reuses that memory instead of adding to it. Fails harmlessly when more than this is
-- pinned (the limit then stays as it was); buffers_restore.sql runs after either way.
SET memory_limit = '32MB';
