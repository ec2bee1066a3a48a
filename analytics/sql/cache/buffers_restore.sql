-- The default memory limit again (buffers_release.sql lowered it for a moment).
RESET memory_limit;
