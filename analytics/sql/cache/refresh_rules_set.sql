-- The fingerprint of the maturity rules the tables were just computed with ($1).
UPDATE analytics_refresh SET rules = $1;
