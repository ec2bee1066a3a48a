//! The establishments of the generated region: FINESS numbers, legal entities, names,
//! categories, sectors, GHT and OSE, and a latent maturity that drives everything they do.

use ingest::finess::luhn_key;

use crate::geo::{self, Departement, lambert93};
use crate::rng::Rng;

/// Whether the set is a region (Île-de-France and a few neighbours' sites) or France.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    Region,
    National,
}

impl Scale {
    /// Sanitary (ES) and medico-social (ESMS) sites to generate.
    fn targets(self) -> (usize, usize) {
        match self {
            Scale::Region => (450, 1_500),
            Scale::National => (3_000, 36_000),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Es,
    Esms,
}

/// A FINESS category as the generator uses it (labels from `data/categories.csv`).
#[derive(Debug, Clone)]
pub struct Category {
    pub code: String,
    pub label: String,
    pub group_code: String,
    pub group_label: String,
    pub family: String,
    pub kind: Kind,
}

/// How common a category is and how its establishments behave.
struct Profile {
    code: &'static str,
    share: f64,
    /// `codesph` values and their weights.
    sectors: &'static [(&'static str, f64)],
    maturity: f64,
    /// Relative size (beds), 0–1.
    size: (f64, f64),
}

const ES_PROFILES: &[Profile] = &[
    Profile {
        code: "101",
        share: 0.06,
        sectors: &[("1", 1.0)],
        maturity: 0.60,
        size: (0.6, 1.0),
    },
    Profile {
        code: "355",
        share: 0.22,
        sectors: &[("1", 1.0)],
        maturity: 0.48,
        size: (0.3, 0.8),
    },
    Profile {
        code: "106",
        share: 0.03,
        sectors: &[("1", 1.0)],
        maturity: 0.36,
        size: (0.1, 0.3),
    },
    Profile {
        code: "292",
        share: 0.05,
        sectors: &[("1", 0.7), ("6", 0.3)],
        maturity: 0.42,
        size: (0.3, 0.6),
    },
    Profile {
        code: "131",
        share: 0.01,
        sectors: &[("6", 1.0)],
        maturity: 0.64,
        size: (0.4, 0.7),
    },
    Profile {
        code: "114",
        share: 0.005,
        sectors: &[("1", 1.0)],
        maturity: 0.58,
        size: (0.4, 0.6),
    },
    Profile {
        code: "128",
        share: 0.08,
        sectors: &[("0", 0.85), ("6", 0.15)],
        maturity: 0.45,
        size: (0.2, 0.5),
    },
    Profile {
        code: "129",
        share: 0.06,
        sectors: &[("0", 0.6), ("6", 0.25), ("7", 0.15)],
        maturity: 0.40,
        size: (0.1, 0.4),
    },
    Profile {
        code: "365",
        share: 0.10,
        sectors: &[("0", 0.7), ("6", 0.3)],
        maturity: 0.46,
        size: (0.2, 0.6),
    },
    Profile {
        code: "122",
        share: 0.02,
        sectors: &[("0", 1.0)],
        maturity: 0.40,
        size: (0.1, 0.3),
    },
    Profile {
        code: "109",
        share: 0.18,
        sectors: &[("0", 0.5), ("6", 0.3), ("7", 0.2)],
        maturity: 0.36,
        size: (0.1, 0.4),
    },
    Profile {
        code: "362",
        share: 0.05,
        sectors: &[("1", 1.0)],
        maturity: 0.34,
        size: (0.1, 0.3),
    },
    Profile {
        code: "127",
        share: 0.05,
        sectors: &[("6", 0.6), ("7", 0.2), ("0", 0.2)],
        maturity: 0.42,
        size: (0.1, 0.3),
    },
    Profile {
        code: "141",
        share: 0.085,
        sectors: &[("7", 0.7), ("0", 0.3)],
        maturity: 0.38,
        size: (0.05, 0.2),
    },
];

const ESMS_PROFILES: &[Profile] = &[
    Profile {
        code: "500",
        share: 0.45,
        sectors: &[("0", 1.0)],
        maturity: 0.26,
        size: (0.05, 0.2),
    },
    Profile {
        code: "202",
        share: 0.08,
        sectors: &[("0", 1.0)],
        maturity: 0.22,
        size: (0.02, 0.1),
    },
    Profile {
        code: "354",
        share: 0.12,
        sectors: &[("0", 1.0)],
        maturity: 0.22,
        size: (0.02, 0.1),
    },
    Profile {
        code: "183",
        share: 0.10,
        sectors: &[("0", 1.0)],
        maturity: 0.26,
        size: (0.02, 0.1),
    },
    Profile {
        code: "255",
        share: 0.06,
        sectors: &[("0", 1.0)],
        maturity: 0.28,
        size: (0.02, 0.1),
    },
    Profile {
        code: "437",
        share: 0.07,
        sectors: &[("0", 1.0)],
        maturity: 0.27,
        size: (0.02, 0.1),
    },
    Profile {
        code: "246",
        share: 0.12,
        sectors: &[("0", 1.0)],
        maturity: 0.24,
        size: (0.02, 0.1),
    },
];

pub fn sector_label(code: &str) -> &'static str {
    match code {
        "1" => "Etablissement public de santé",
        "6" => "Etablissement de santé privé d'intérêt collectif",
        "7" => "Etablissement privé non lucratif (hors ESPIC)",
        _ => "Non concerné",
    }
}

/// `codemft` and its label, as the extract pairs them with the sector.
pub fn funding(code: &str, kind: Kind) -> (&'static str, &'static str) {
    match (kind, code) {
        (Kind::Esms, _) => ("40", "ARS / Conseil départemental / Tarif global"),
        (_, "1") => ("03", "ARS établissements Publics de santé dotation globale"),
        (_, "6" | "7") => ("04", "ARS établissements de santé non lucratifs dotation globale"),
        _ => ("07", "ARS / Tarif Activité / Etablissements privés"),
    }
}

#[derive(Debug, Clone)]
pub struct Establishment {
    pub finess_et: String,
    pub finess_ej: String,
    pub short_name: String,
    pub long_name: String,
    pub departement: usize,
    pub commune: usize,
    pub category: usize,
    pub sector: &'static str,
    pub ose: bool,
    pub ght: Option<String>,
    pub size: f64,
    /// Latent maturity 0–1 at the first campaign.
    pub maturity: f64,
    pub coordinates: Option<(f64, f64)>,
    pub opened_on: chrono::NaiveDate,
    pub phone: String,
    pub siret: String,
}

#[derive(Debug)]
pub struct World {
    pub scale: Scale,
    pub departements: Vec<Departement>,
    pub categories: Vec<Category>,
    pub establishments: Vec<Establishment>,
}

impl World {
    pub fn departement(&self, establishment: &Establishment) -> &Departement {
        &self.departements[establishment.departement]
    }

    pub fn category(&self, establishment: &Establishment) -> &Category {
        &self.categories[establishment.category]
    }

    pub fn kind(&self, establishment: &Establishment) -> Kind {
        self.category(establishment).kind
    }

    pub fn in_region(&self, establishment: &Establishment) -> bool {
        self.departement(establishment).in_region()
    }

    /// Sanitary establishments of the region: the denominators of the regional rates.
    pub fn region_es(&self) -> impl Iterator<Item = (usize, &Establishment)> {
        self.establishments
            .iter()
            .enumerate()
            .filter(|(_, e)| self.in_region(e) && self.kind(e) == Kind::Es)
    }
}

/// The demonstration categories, parsed from the project's `data/categories.csv`.
pub fn categories() -> Vec<Category> {
    include_str!("../../data/categories.csv")
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(';').collect();
            let [code, label, group_code, group_label, family, kind] = fields.as_slice() else {
                return None;
            };
            Some(Category {
                code: (*code).to_owned(),
                label: (*label).to_owned(),
                group_code: (*group_code).to_owned(),
                group_label: (*group_label).to_owned(),
                family: (*family).to_owned(),
                kind: if *kind == "ESMS" { Kind::Esms } else { Kind::Es },
            })
        })
        .collect()
}

/// Numbers FINESS identifiers per département: sites `dd0nnnnnk`, legal entities `dd1nnnnnk`.
struct Numbering {
    next: std::collections::BTreeMap<(String, u8), u32>,
}

impl Numbering {
    fn issue(&mut self, prefix: &str, series: u8, rng: &mut Rng) -> String {
        let counter = self.next.entry((prefix.to_owned(), series)).or_insert(10);
        *counter += rng.between(1, 7) as u32;
        let width = 8 - prefix.len() - 1;
        let body = format!("{prefix}{series}{:0width$}", *counter % 10u32.pow(width as u32));
        let key = luhn_key(&body).unwrap_or('0');
        format!("{body}{key}")
    }
}

const SURNAMES: &[&str] = &[
    "AUBRAC",
    "BELLEVUE",
    "CHAMPLAIN",
    "DELAUNAY",
    "ESTIENNE",
    "FONTENELLE",
    "GARANCE",
    "HAUTEVILLE",
    "ISAMBERT",
    "JOUVENET",
    "LAMARTINE",
    "MARCEAU",
    "NOIRMONT",
    "ORSINI",
    "PASTOUREL",
    "QUINAULT",
    "RAVEL",
    "SORBIER",
    "TREMIERE",
    "VALMONT",
    "VERGNIAUD",
    "BEAUMARCHAIS",
    "COLBERT",
    "DAUMIER",
];
const SAINTS: &[&str] = &[
    "SAINT-MARTIN",
    "SAINTE-ANNE",
    "SAINT-JOSEPH",
    "SAINT-LUC",
    "SAINTE-CLAIRE",
    "SAINT-VINCENT",
    "SAINT-ROCH",
    "SAINTE-MARIE",
    "SAINT-CAMILLE",
    "SAINT-JEAN",
    "SAINTE-GENEVIEVE",
    "SAINT-LOUIS",
];
const PLACES: &[&str] = &[
    "DU PARC",
    "DES LILAS",
    "DU VAL",
    "DES TILLEULS",
    "DES PEUPLIERS",
    "DU MOULIN",
    "DES SOURCES",
    "DE LA ROSERAIE",
    "DU BOIS",
    "DES COTEAUX",
    "DE LA FORET",
    "DES CEDRES",
    "DU CHATEAU",
    "DES VIGNES",
];

/// Names that must survive every page and export as text (apostrophes, accents, `&`, `<`).
pub const TRICKY_NAMES: &[(&str, &str)] = &[
    (
        "CLINIQUE L'ETOILE & <SAINT-JACQUES>",
        "CLINIQUE L'ÉTOILE & <SAINT-JACQUES>",
    ),
    (
        "EHPAD <SCRIPT>ALERT('X')</SCRIPT>",
        "EHPAD <script>alert('opssies')</script>",
    ),
    ("RESIDENCE D'ARTAGNAN & FILS", "RÉSIDENCE D'ARTAGNAN & FILS"),
    (
        "HOPITAL PRIVE STE-THERESE D'AVILA",
        "HÔPITAL PRIVÉ SAINTE-THÉRÈSE D'ÁVILA",
    ),
];

fn name_for(family: &str, commune: &str, rng: &mut Rng) -> (String, String) {
    let long = match family {
        "CHU" => format!("HOPITAL UNIVERSITAIRE {}", rng.pick(SURNAMES)),
        "CH" => format!("CENTRE HOSPITALIER DE {commune}"),
        "CHS" => format!("ETABLISSEMENT PUBLIC DE SANTE MENTALE {}", rng.pick(SURNAMES)),
        "CLCC" => format!("INSTITUT DE CANCEROLOGIE {}", rng.pick(SURNAMES)),
        "Armées" => format!("HOPITAL D'INSTRUCTION DES ARMEES {}", rng.pick(SURNAMES)),
        "Clinique MCO" => match rng.below(3) {
            0 => format!("CLINIQUE {}", rng.pick(SAINTS)),
            1 => format!("CLINIQUE {}", rng.pick(PLACES)),
            _ => format!("HOPITAL PRIVE DE {commune}"),
        },
        "SSR" => format!("CENTRE DE READAPTATION {}", rng.pick(PLACES)),
        "SLD" => format!("UNITE DE SOINS DE LONGUE DUREE {}", rng.pick(PLACES)),
        "HAD" => format!("HAD {} {commune}", rng.pick(SAINTS)),
        "Dialyse" => format!("CENTRE DE DIALYSE {}", rng.pick(PLACES)),
        "EHPAD" => format!("EHPAD {}", rng.pick(PLACES)),
        "Personnes âgées" => format!("RESIDENCE AUTONOMIE {}", rng.pick(PLACES)),
        "Soins à domicile" => format!("SSIAD {commune}"),
        "Handicap enfants" => format!("IME {}", rng.pick(SURNAMES)),
        _ => format!("MAS {}", rng.pick(PLACES)),
    };
    let short: String = long.chars().take(38).collect();
    (short.trim_end().to_owned(), long)
}

fn sector(profile: &Profile, rng: &mut Rng) -> &'static str {
    let weights: Vec<f64> = profile.sectors.iter().map(|(_, w)| *w).collect();
    profile.sectors[rng.weighted(&weights)].0
}

pub fn build(scale: Scale, rng: &Rng) -> World {
    let mut rng = rng.fork("establishments");
    let departements = geo::departements(scale == Scale::National);
    let categories = categories();
    let category_index = |code: &str| categories.iter().position(|c| c.code == code).unwrap_or(0);
    let (es_target, esms_target) = scale.targets();
    let region_weight: f64 = departements.iter().filter(|d| d.in_region()).map(|d| d.weight).sum();
    let total_weight: f64 = departements.iter().map(|d| d.weight).sum();
    let mut numbering = Numbering {
        next: Default::default(),
    };
    let mut establishments = Vec::new();

    for (dep_index, departement) in departements.iter().enumerate() {
        // Region scale: the target is the region's; neighbours contribute a handful of sites.
        let share = match scale {
            Scale::Region if departement.in_region() => departement.weight / region_weight,
            Scale::Region => 0.0,
            Scale::National => departement.weight / total_weight,
        };
        for (profiles, target, neighbour_count) in [(ES_PROFILES, es_target, 6usize), (ESMS_PROFILES, esms_target, 10)]
        {
            let count = if share > 0.0 {
                (target as f64 * share).round() as usize
            } else {
                neighbour_count
            };
            let weights: Vec<f64> = profiles.iter().map(|p| p.share).collect();
            // Categories allotted in proportion, the remainder drawn: small départements still
            // get a realistic mix.
            let mut allotted: Vec<&Profile> = Vec::with_capacity(count);
            for profile in profiles {
                let n = (count as f64 * profile.share).floor() as usize;
                allotted.extend(std::iter::repeat_n(profile, n));
            }
            while allotted.len() < count {
                allotted.push(&profiles[rng.weighted(&weights)]);
            }
            let mut current_ej: Option<(String, &str, usize)> = None;
            for profile in allotted {
                let category = category_index(profile.code);
                let family = categories[category].family.as_str();
                let commune = rng.below(departement.communes.len());
                let sector = sector(profile, &mut rng);
                let finess_et = numbering.issue(departement.finess_prefix, 0, &mut rng);
                // Sites of one legal entity are consecutive: a university hospital's sites
                // share one entity per département, others 1–4 sites.
                let reuse = matches!(&current_ej, Some((_, code, left)) if *code == profile.code && *left > 0);
                let finess_ej = if reuse {
                    let (ej, code, left) = current_ej.take().unwrap_or_default();
                    current_ej = Some((ej.clone(), code, left - 1));
                    ej
                } else {
                    let ej = numbering.issue(departement.finess_prefix, 1, &mut rng);
                    let siblings = if family == "CHU" {
                        60
                    } else {
                        rng.weighted(&[0.55, 0.25, 0.12, 0.08])
                    };
                    current_ej = Some((ej.clone(), profile.code, siblings));
                    ej
                };
                let commune_name = departement.communes[commune].name;
                let (short_name, long_name) = name_for(family, commune_name, &mut rng);
                let size = profile.size.0 + rng.unit() * (profile.size.1 - profile.size.0);
                let public_bonus = if sector == "1" { 0.03 } else { 0.0 };
                let maturity = (profile.maturity + 0.15 * size + public_bonus + rng.normal(0.12)).clamp(0.03, 0.92);
                let coordinates = (!departement.is_overseas()).then(|| {
                    let radius = departement.radius_km / 111.0 * rng.unit().sqrt();
                    let angle = rng.unit() * std::f64::consts::TAU;
                    let latitude = departement.latitude + radius * angle.sin();
                    let longitude =
                        departement.longitude + radius * angle.cos() / departement.latitude.to_radians().cos();
                    let (x, y) = lambert93(latitude, longitude);
                    ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0)
                });
                let opened_on = chrono::NaiveDate::from_ymd_opt(
                    rng.between(1960, 2019) as i32,
                    rng.between(1, 12) as u32,
                    rng.between(1, 28) as u32,
                )
                .unwrap_or_default();
                establishments.push(Establishment {
                    phone: format!("01{:08}", rng.between(0, 99_999_999)),
                    siret: format!("{:014}", rng.between(10_000_000_000_000, 99_999_999_999_999)),
                    finess_et,
                    finess_ej,
                    short_name,
                    long_name,
                    departement: dep_index,
                    commune,
                    category,
                    sector,
                    ose: false,
                    ght: None,
                    size,
                    maturity,
                    coordinates,
                    opened_on,
                });
            }
        }
    }
    let mut world = World {
        scale,
        departements,
        categories,
        establishments,
    };
    assign_ght_and_ose(&mut world, &mut rng);
    plant_tricky_names(&mut world);
    world
}

/// Public hospitals grouped in GHTs per département around their largest member, which is an
/// OSE; university hospitals and cancer centres are OSE too, and a few large private clinics.
fn assign_ght_and_ose(world: &mut World, rng: &mut Rng) {
    for dep_index in 0..world.departements.len() {
        let code = world.departements[dep_index].code;
        let mut members: Vec<usize> = world
            .establishments
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.departement == dep_index
                    && e.sector == "1"
                    && matches!(world.categories[e.category].family.as_str(), "CH" | "CHS" | "SLD")
            })
            .map(|(index, _)| index)
            .collect();
        if members.is_empty() {
            continue;
        }
        let ght_count = members.len().div_ceil(12).clamp(1, 3);
        rng.shuffle(&mut members);
        for ght_number in 0..ght_count {
            let group: Vec<usize> = members.iter().skip(ght_number).step_by(ght_count).copied().collect();
            let name = format!("GHT {} {}", world.departements[dep_index].name, ght_number + 1);
            let support = group
                .iter()
                .copied()
                .max_by(|a, b| world.establishments[*a].size.total_cmp(&world.establishments[*b].size));
            for &member in &group {
                world.establishments[member].ght = Some(format!("{name} ({code})"));
            }
            if let Some(support) = support {
                world.establishments[support].ose = true;
            }
        }
    }
    for establishment in &mut world.establishments {
        let family = world.categories[establishment.category].family.as_str();
        if matches!(family, "CHU" | "CLCC")
            || (family == "Clinique MCO" && establishment.size > 0.45 && rng.chance(0.3))
        {
            establishment.ose = true;
        }
        if establishment.ose {
            establishment.maturity = (establishment.maturity + 0.1).min(0.95);
        }
    }
}

fn plant_tricky_names(world: &mut World) {
    let wanted = [
        ("Clinique MCO", 0),
        ("EHPAD", 1),
        ("Personnes âgées", 2),
        ("Clinique MCO", 3),
    ];
    for (family, name_index) in wanted {
        let target = world.establishments.iter().position(|e| {
            world.departements[e.departement].in_region()
                && world.categories[e.category].family == family
                && !TRICKY_NAMES.iter().any(|(short, _)| e.short_name == *short)
                && !e.ose
        });
        if let Some(index) = target {
            let (short, long) = TRICKY_NAMES[name_index];
            world.establishments[index].short_name = short.to_owned();
            world.establishments[index].long_name = long.to_owned();
        }
    }
}
