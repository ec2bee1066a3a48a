-- What store_status.sql keeps: the settings' fingerprint and how many dates stay.
CREATE OR REPLACE TEMP TABLE status_request (settings VARCHAR, dates_kept BIGINT);
