-- Every département of the referential with its label (the filters keep the region's).
SELECT departement, any_value(departement_label) AS label FROM establishments GROUP BY 1 ORDER BY 1;
