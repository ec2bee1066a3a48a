-- Store schema v1: provenance, the FINESS referential, the OSE/GHT list and OPSSIES events.
-- Every timestamp of an import is UTC; every date inside an input is Europe/Paris wall-clock.

CREATE TABLE imports (
    import_id           BIGINT PRIMARY KEY,
    file_name           VARCHAR NOT NULL,
    sha256              VARCHAR NOT NULL,
    kind                VARCHAR,
    size_bytes          BIGINT NOT NULL,
    encoding            VARCHAR,
    started_at          TIMESTAMP NOT NULL,
    finished_at         TIMESTAMP NOT NULL,
    status              VARCHAR NOT NULL CHECK (status IN ('stored', 'refused')),
    rows_read           BIGINT NOT NULL,
    rows_stored         BIGINT NOT NULL,
    rows_rejected       BIGINT NOT NULL,
    warning_count       BIGINT NOT NULL,
    message             VARCHAR,
    user_name           VARCHAR,
    source_date         DATE,
    sender              VARCHAR,
    file_generated_at   TIMESTAMP
);

CREATE TABLE rejects (
    import_id   BIGINT NOT NULL,
    sheet       VARCHAR,
    row_number  BIGINT,
    column_name VARCHAR,
    json_path   VARCHAR,
    value       VARCHAR,
    reason      VARCHAR NOT NULL
);

CREATE TABLE warnings (
    import_id   BIGINT NOT NULL,
    sheet       VARCHAR,
    row_number  BIGINT,
    column_name VARCHAR,
    json_path   VARCHAR,
    value       VARCHAR,
    message     VARCHAR NOT NULL
);

-- One row per FINESS ET, updated in place by a later extract (no PRIMARY KEY because DuckDB
-- checks it eagerly on in-place updates; MERGE keeps finess_et unique).
CREATE TABLE finess_referential (
    finess_et                VARCHAR NOT NULL,
    finess_ej                VARCHAR,
    short_name               VARCHAR,
    long_name                VARCHAR,
    name_complement          VARCHAR,
    distribution_complement  VARCHAR,
    street_number            VARCHAR,
    street_type              VARCHAR,
    street_name              VARCHAR,
    street_complement        VARCHAR,
    locality                 VARCHAR,
    commune_code             VARCHAR,
    departement              VARCHAR,
    departement_label        VARCHAR,
    postal_line              VARCHAR,
    phone                    VARCHAR,
    fax                      VARCHAR,
    category_code            VARCHAR,
    category_label           VARCHAR,
    category_group_code      VARCHAR,
    category_group_label     VARCHAR,
    siret                    VARCHAR,
    ape_code                 VARCHAR,
    mft_code                 VARCHAR,
    mft_label                VARCHAR,
    sector_code              VARCHAR,
    sector_label             VARCHAR,
    opened_on                DATE,
    authorised_on            DATE,
    finess_updated_on        DATE,
    uai                      VARCHAR,
    postal_code              VARCHAR,
    coord_x                  DOUBLE,
    coord_y                  DOUBLE,
    coord_source             VARCHAR,
    coord_updated_on         DATE,
    luhn_ok                  BOOLEAN,
    extract_date             DATE,
    import_id                BIGINT NOT NULL
);

-- Every OSE/GHT list ever imported; the latest stored list is the current one.
CREATE TABLE ose_ght (
    import_id  BIGINT NOT NULL,
    finess_et  VARCHAR NOT NULL,
    finess_ej  VARCHAR,
    ght        VARCHAR,
    ose        BOOLEAN NOT NULL
);

CREATE TABLE events (
    event_id                   VARCHAR PRIMARY KEY,
    import_id                  BIGINT NOT NULL,
    json_path                  VARCHAR NOT NULL,
    event_type                 INTEGER NOT NULL,
    event_type_label           VARCHAR,
    nist_function              VARCHAR,
    programme_code             INTEGER,
    programme                  VARCHAR,
    tlp                        VARCHAR NOT NULL CHECK (tlp IN ('red', 'amber', 'green', 'clear')),
    recipient_finess_et        VARCHAR,
    recipient_finess_ej        VARCHAR,
    recipient_finess_range     VARCHAR,
    recipient_name             VARCHAR,
    requester_id               VARCHAR,
    requester_id_type          VARCHAR,
    requester_name             VARCHAR,
    provider_id                VARCHAR,
    provider_id_type           VARCHAR,
    provider_name              VARCHAR,
    auditor_id                 VARCHAR,
    auditor_id_type            VARCHAR,
    auditor_name               VARCHAR,
    request_effective_at       TIMESTAMP,
    request_planned_at         TIMESTAMP,
    request_cancelled_at       TIMESTAMP,
    registration_effective_at  TIMESTAMP,
    registration_planned_at    TIMESTAMP,
    registration_cancelled_at  TIMESTAMP,
    completed_at               TIMESTAMP,
    completion_planned_at      TIMESTAMP,
    completion_cancelled_at    TIMESTAMP,
    outcome_score              DOUBLE,
    outcome_level              INTEGER,
    functional_context_count   INTEGER NOT NULL,
    technical_context_count    INTEGER NOT NULL,
    asn_count                  INTEGER NOT NULL,
    domain_count               INTEGER NOT NULL,
    subnet_v4_count            INTEGER NOT NULL,
    subnet_v6_count            INTEGER NOT NULL,
    has_personal_data          BOOLEAN NOT NULL,
    has_health_data            BOOLEAN NOT NULL,
    ad_forest                  VARCHAR,
    sender                     VARCHAR,
    file_generated_at          TIMESTAMP,
    extraction_date            TIMESTAMP,
    raw_json                   VARCHAR NOT NULL
);

-- Every file that carried an event, the first one included.
CREATE TABLE event_sources (
    event_id   VARCHAR NOT NULL,
    import_id  BIGINT NOT NULL,
    json_path  VARCHAR NOT NULL
);

CREATE VIEW current_ose_ght AS
SELECT finess_et, finess_ej, ght, ose, import_id
FROM ose_ght
WHERE import_id = (
    SELECT max(i.import_id) FROM imports i WHERE i.kind = 'ose-ght' AND i.status = 'stored'
);

CREATE VIEW establishments AS
SELECT
    r.finess_et,
    r.finess_ej,
    r.short_name,
    r.long_name,
    coalesce(r.long_name, r.short_name) AS name,
    r.departement,
    r.departement_label,
    r.commune_code,
    r.postal_code,
    r.postal_line,
    r.category_code,
    r.category_label,
    r.category_group_code,
    r.category_group_label,
    r.sector_code,
    r.sector_label,
    r.siret,
    r.coord_x AS lambert93_x,
    r.coord_y AS lambert93_y,
    r.coord_source,
    r.opened_on,
    r.authorised_on,
    r.finess_updated_on,
    coalesce(o.ose, false) AS ose,
    o.ght,
    r.luhn_ok,
    r.extract_date,
    r.import_id
FROM finess_referential r
LEFT JOIN current_ose_ght o USING (finess_et);

CREATE VIEW legal_entities AS
SELECT
    finess_ej,
    any_value(departement) AS departement,
    count(*) AS site_count,
    bool_or(ose) AS has_ose_site,
    any_value(ght) FILTER (WHERE ght IS NOT NULL) AS ght,
    any_value(sector_code) AS sector_code,
    any_value(sector_label) AS sector_label
FROM establishments
WHERE finess_ej IS NOT NULL
GROUP BY finess_ej;

-- The establishments each event is about: the recipient site, or every site of a recipient
-- legal entity when the event names only the EJ.
CREATE VIEW event_establishments AS
SELECT e.event_id, e.recipient_finess_et AS finess_et, 'finess_et' AS matched_by
FROM events e
WHERE e.recipient_finess_et IS NOT NULL
UNION ALL
SELECT e.event_id, r.finess_et, 'finess_ej' AS matched_by
FROM events e
JOIN finess_referential r ON r.finess_ej = e.recipient_finess_ej
WHERE e.recipient_finess_et IS NULL;
