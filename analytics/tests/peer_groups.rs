//! Peer comparison never returns a group under k, whatever the filter (random filters
//! over a generated region), and the sizes it reports are the true sizes.

#![allow(clippy::unwrap_used)]

mod common;

use analytics::{Analytics, Filter, Scope, Settings};
use common::generated_region;

/// A small deterministic generator for the random filters (xorshift).
struct Draws(u64);

impl Draws {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }

    /// One time in three a value, else no filter on that field.
    fn maybe<T: Clone>(&mut self, choices: &[T]) -> Option<T> {
        (self.below(3) == 0).then(|| choices[self.below(choices.len())].clone())
    }
}

#[test]
fn no_group_under_k_whatever_the_filter() {
    let (_directory, store, manifest) = generated_region(9);
    let settings = Settings::default();
    let k = settings.benchmarks.minimum_group_size;
    let mut analytics = Analytics::new(store.connection(), &settings);
    let as_of = manifest.today;
    let view = analytics.at(as_of, &Scope::region()).unwrap();
    let everyone = view.establishments(&Filter::default()).unwrap();
    let families: Vec<String> = everyone.iter().map(|r| r.family.clone()).collect();
    let sectors: Vec<String> = everyone.iter().map(|r| r.sector_group.clone()).collect();
    let departements: Vec<String> = everyone.iter().filter_map(|r| r.departement.clone()).collect();
    let searches = [
        "CLINIQUE",
        "EHPAD",
        "75",
        "DE",
        "<script>",
        "'; DROP TABLE events; --",
        "%",
        "_",
    ];

    let mut draws = Draws(0x5eed_1234_abcd);
    let mut groups_seen = 0;
    for _ in 0..150 {
        let filter = Filter {
            kind: draws.maybe(&["ES".to_owned(), "ESMS".to_owned()]),
            departement: draws.maybe(&departements),
            family: draws.maybe(&families),
            sector_group: draws.maybe(&sectors),
            ose: draws.maybe(&[true, false]),
            search: draws.maybe(&searches.map(str::to_owned)),
            reason: None,
        };
        let groups = view.peer_groups(&filter).unwrap();
        let rows = view.establishments(&filter).unwrap();
        for group in &groups {
            assert!(group.figures.establishments >= k, "{filter:?}: {group:?}");
            let members = rows
                .iter()
                .filter(|r| r.peer_group == group.group && r.maturity.is_some())
                .count() as i64;
            assert_eq!(group.figures.establishments, members, "{filter:?}");
        }
        // Every group the filter leaves with fewer than k establishments is absent.
        let mut sizes = std::collections::BTreeMap::new();
        for row in rows.iter().filter(|r| r.maturity.is_some()) {
            *sizes.entry(row.peer_group.clone()).or_insert(0i64) += 1;
        }
        for (group, size) in sizes {
            assert_eq!(
                groups.iter().any(|g| g.group == group),
                size >= k,
                "{filter:?} {group} {size}"
            );
        }
        groups_seen += groups.len();
    }
    assert!(
        groups_seen > 50,
        "the random filters must exercise real groups: {groups_seen}"
    );

    // Fiches: figures exactly when the group has at least k values.
    for row in everyone.iter().step_by(97) {
        let fiche = analytics.fiche(&row.finess_et, as_of, &Scope::region()).unwrap();
        for benchmark in &fiche.benchmarks {
            if let Some(figures) = &benchmark.figures {
                assert!(figures.establishments >= k, "{benchmark:?}");
            }
        }
    }
}
