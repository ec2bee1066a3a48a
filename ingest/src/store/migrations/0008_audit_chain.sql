-- Store schema v8: the audit log becomes a hash chain. Each row holds its place (`seq`), the
-- SHA-256 of the previous row (`previous_hash`, empty for the first) and its own
-- (`row_hash`, over its content and `previous_hash`): altering or removing a row breaks the
-- chain at the next row, which `opssies journal verify` names.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN role VARCHAR;
ALTER TABLE audit_log ADD COLUMN rows_returned BIGINT;
ALTER TABLE audit_log ADD COLUMN previous_hash VARCHAR;
ALTER TABLE audit_log ADD COLUMN row_hash VARCHAR;

-- One field of the hashed text: its length, then itself (no separator can be forged); '-'
-- for NULL.
CREATE MACRO audit_field(value) AS
    CASE WHEN value IS NULL THEN '-' ELSE CAST(length(value) AS VARCHAR) || ':' || value END;

-- The one definition of a row's hash, used to write rows and to verify them.
CREATE MACRO audit_row_hash(previous_hash, seq, logged_at, user_name, role, address, action, target, detail, rows_returned) AS
    sha256(
        audit_field(previous_hash) || audit_field(CAST(seq AS VARCHAR))
        || audit_field(CAST(epoch_us(logged_at) AS VARCHAR)) || audit_field(user_name)
        || audit_field(role) || audit_field(address) || audit_field(action) || audit_field(target)
        || audit_field(detail) || audit_field(CAST(rows_returned AS VARCHAR))
    );
