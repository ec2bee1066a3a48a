-- What store_status.sql keeps: the settings' fingerprint, how many dates stay, and today
-- (Paris), whose status stays whatever other dates are asked (the pages' default date).
CREATE OR REPLACE TEMP TABLE status_request (settings VARCHAR, dates_kept BIGINT, today DATE);
