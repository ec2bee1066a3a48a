-- Peer groups (sector × family) of the filtered establishments on the overall maturity:
-- size, median, worst and best 20 %; only groups of at least k (`minimum_group_size`).
SELECT peer_group, count(*) AS establishments, median(maturity) AS median,
       quantile_cont(maturity, 0.2) AS worst_20, quantile_cont(maturity, 0.8) AS best_20
FROM filtered_status
WHERE maturity IS NOT NULL
GROUP BY peer_group
HAVING count(*) >= (SELECT minimum_group_size FROM ctx)
ORDER BY peer_group;
