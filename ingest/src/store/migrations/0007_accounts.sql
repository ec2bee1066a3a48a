-- Store schema v7: accounts of the dashboard and the append-only audit log.

CREATE TABLE users (
    user_name      VARCHAR PRIMARY KEY,
    role           VARCHAR NOT NULL CHECK (role IN ('ars', 'sesan', 'etablissement', 'admin')),
    -- For the role etablissement: the FINESS EJ (its sites) or ET it is bound to.
    finess         VARCHAR,
    password_hash  VARCHAR NOT NULL,
    disabled       BOOLEAN NOT NULL DEFAULT false,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

-- Who did or saw what: logins, imports, views and exports of an establishment's data by
-- someone outside it. Rows are only ever inserted.
CREATE TABLE audit_log (
    logged_at  TIMESTAMP NOT NULL,
    user_name  VARCHAR,
    address    VARCHAR,
    action     VARCHAR NOT NULL,
    target     VARCHAR,
    detail     VARCHAR
);
