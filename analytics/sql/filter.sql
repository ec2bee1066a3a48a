-- The establishments a list, an aggregate or a chart is computed over: the viewer's scope
-- (`scope_sites`), open sites only (a closed site keeps its fiche, « fermé le … », and leaves
-- every list, aggregate and denominator), and the page's filter. The filter's values sit in
-- `filter_values` (one row, bound by `filter_values.sql`): a NULL value filters nothing;
-- filter_rows.sql then makes the table `filtered_status`.
CREATE OR REPLACE TEMP TABLE filter_values (
    kind          VARCHAR,  -- ES or ESMS
    departement   VARCHAR,
    family        VARCHAR,
    sector_group  VARCHAR,
    ose           BOOLEAN,
    pattern       VARCHAR,  -- LIKE pattern over "FINESS name", escaped by the program
    reason        VARCHAR   -- a targeting reason
);
