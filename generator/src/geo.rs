//! Départements, communes and Lambert-93 coordinates of the generated establishments.

/// A département of the FINESS nomenclature.
#[derive(Debug)]
pub struct Departement {
    /// The `departement` field of the FINESS extract (`75`, `2A`, `9D`).
    pub code: &'static str,
    /// The first characters of FINESS numbers issued there (`75`, `2A`, `974`).
    pub finess_prefix: &'static str,
    pub name: &'static str,
    /// A point inside the département (WGS84) and how far around it sites may lie, in km.
    pub latitude: f64,
    pub longitude: f64,
    pub radius_km: f64,
    /// Population in hundreds of thousands: how many establishments it gets.
    pub weight: f64,
    pub communes: Vec<Commune>,
}

#[derive(Debug, Clone, Copy)]
pub struct Commune {
    /// The commune's three-digit code inside the département, as in the FINESS extract.
    pub code: &'static str,
    pub name: &'static str,
    pub postal_code: &'static str,
}

const fn commune(code: &'static str, name: &'static str, postal_code: &'static str) -> Commune {
    Commune {
        code,
        name,
        postal_code,
    }
}

#[allow(clippy::too_many_arguments)]
fn dep(
    code: &'static str,
    finess_prefix: &'static str,
    name: &'static str,
    latitude: f64,
    longitude: f64,
    radius_km: f64,
    weight: f64,
    communes: &[Commune],
) -> Departement {
    Departement {
        code,
        finess_prefix,
        name,
        latitude,
        longitude,
        radius_km,
        weight,
        communes: communes.to_vec(),
    }
}

/// The eight départements of Île-de-France, the demonstration region.
type RegionRow = (&'static str, &'static str, f64, f64, f64, f64, &'static [Commune]);

const ILE_DE_FRANCE: &[RegionRow] = &[
    (
        "75",
        "PARIS",
        48.8566,
        2.3522,
        2.5,
        21.0,
        &[
            commune("056", "PARIS", "75004"),
            commune("056", "PARIS", "75010"),
            commune("056", "PARIS", "75012"),
            commune("056", "PARIS", "75013"),
            commune("056", "PARIS", "75014"),
            commune("056", "PARIS", "75015"),
            commune("056", "PARIS", "75018"),
            commune("056", "PARIS", "75020"),
        ],
    ),
    (
        "77",
        "SEINE-ET-MARNE",
        48.62,
        2.98,
        20.0,
        14.2,
        &[
            commune("288", "MELUN", "77000"),
            commune("284", "MEAUX", "77100"),
            commune("186", "FONTAINEBLEAU", "77300"),
            commune("131", "COULOMMIERS", "77120"),
            commune("305", "MONTEREAU-FAULT-YONNE", "77130"),
            commune("379", "PROVINS", "77160"),
            commune("243", "LAGNY-SUR-MARNE", "77400"),
            commune("108", "CHELLES", "77500"),
        ],
    ),
    (
        "78",
        "YVELINES",
        48.82,
        1.85,
        12.0,
        14.5,
        &[
            commune("646", "VERSAILLES", "78000"),
            commune("551", "SAINT-GERMAIN-EN-LAYE", "78100"),
            commune("361", "MANTES-LA-JOLIE", "78200"),
            commune("498", "POISSY", "78300"),
            commune("517", "RAMBOUILLET", "78120"),
            commune("586", "SARTROUVILLE", "78500"),
        ],
    ),
    (
        "91",
        "ESSONNE",
        48.52,
        2.25,
        12.0,
        13.0,
        &[
            commune("228", "EVRY-COURCOURONNES", "91000"),
            commune("174", "CORBEIL-ESSONNES", "91100"),
            commune("377", "MASSY", "91300"),
            commune("223", "ETAMPES", "91150"),
            commune("471", "ORSAY", "91400"),
            commune("326", "JUVISY-SUR-ORGE", "91260"),
        ],
    ),
    (
        "92",
        "HAUTS-DE-SEINE",
        48.85,
        2.22,
        2.5,
        16.2,
        &[
            commune("012", "BOULOGNE-BILLANCOURT", "92100"),
            commune("050", "NANTERRE", "92000"),
            commune("044", "LEVALLOIS-PERRET", "92300"),
            commune("026", "COURBEVOIE", "92400"),
            commune("023", "CLAMART", "92140"),
            commune("025", "COLOMBES", "92700"),
            commune("063", "RUEIL-MALMAISON", "92500"),
        ],
    ),
    (
        "93",
        "SEINE-SAINT-DENIS",
        48.91,
        2.48,
        3.0,
        16.5,
        &[
            commune("008", "BOBIGNY", "93000"),
            commune("066", "SAINT-DENIS", "93200"),
            commune("048", "MONTREUIL", "93100"),
            commune("001", "AUBERVILLIERS", "93300"),
            commune("005", "AULNAY-SOUS-BOIS", "93600"),
            commune("055", "PANTIN", "93500"),
            commune("010", "BONDY", "93140"),
        ],
    ),
    (
        "94",
        "VAL-DE-MARNE",
        48.78,
        2.47,
        3.0,
        14.0,
        &[
            commune("028", "CRETEIL", "94000"),
            commune("081", "VITRY-SUR-SEINE", "94400"),
            commune("033", "FONTENAY-SOUS-BOIS", "94120"),
            commune("068", "SAINT-MAUR-DES-FOSSES", "94100"),
            commune("080", "VINCENNES", "94300"),
            commune("041", "IVRY-SUR-SEINE", "94200"),
            commune("076", "VILLEJUIF", "94800"),
        ],
    ),
    (
        "95",
        "VAL-D'OISE",
        49.07,
        2.17,
        10.0,
        12.5,
        &[
            commune("127", "CERGY", "95000"),
            commune("018", "ARGENTEUIL", "95100"),
            commune("585", "SARCELLES", "95200"),
            commune("500", "PONTOISE", "95300"),
            commune("277", "GONESSE", "95500"),
            commune("219", "EAUBONNE", "95600"),
        ],
    ),
];

/// Départements outside the region, for the national set (prefecture, population weight).
const OTHERS: &[(&str, &str, &str, f64, f64, f64)] = &[
    ("01", "AIN", "BOURG-EN-BRESSE", 46.205, 5.226, 6.5),
    ("02", "AISNE", "LAON", 49.564, 3.620, 5.3),
    ("03", "ALLIER", "MOULINS", 46.566, 3.333, 3.3),
    ("04", "ALPES-DE-HAUTE-PROVENCE", "DIGNE-LES-BAINS", 44.092, 6.236, 1.6),
    ("05", "HAUTES-ALPES", "GAP", 44.559, 6.079, 1.4),
    ("06", "ALPES-MARITIMES", "NICE", 43.710, 7.262, 11.0),
    ("07", "ARDECHE", "PRIVAS", 44.735, 4.599, 3.3),
    ("08", "ARDENNES", "CHARLEVILLE-MEZIERES", 49.771, 4.720, 2.7),
    ("09", "ARIEGE", "FOIX", 42.965, 1.607, 1.5),
    ("10", "AUBE", "TROYES", 48.297, 4.074, 3.1),
    ("11", "AUDE", "CARCASSONNE", 43.213, 2.349, 3.7),
    ("12", "AVEYRON", "RODEZ", 44.350, 2.575, 2.8),
    ("13", "BOUCHES-DU-RHONE", "MARSEILLE", 43.296, 5.370, 20.0),
    ("14", "CALVADOS", "CAEN", 49.183, -0.370, 7.0),
    ("15", "CANTAL", "AURILLAC", 44.926, 2.440, 1.4),
    ("16", "CHARENTE", "ANGOULEME", 45.648, 0.156, 3.5),
    ("17", "CHARENTE-MARITIME", "LA ROCHELLE", 46.160, -1.151, 6.5),
    ("18", "CHER", "BOURGES", 47.081, 2.399, 3.0),
    ("19", "CORREZE", "TULLE", 45.267, 1.771, 2.4),
    ("2A", "CORSE-DU-SUD", "AJACCIO", 41.919, 8.738, 1.6),
    ("2B", "HAUTE-CORSE", "BASTIA", 42.697, 9.450, 1.8),
    ("21", "COTE-D'OR", "DIJON", 47.322, 5.041, 5.3),
    ("22", "COTES-D'ARMOR", "SAINT-BRIEUC", 48.514, -2.765, 6.0),
    ("23", "CREUSE", "GUERET", 46.171, 1.871, 1.2),
    ("24", "DORDOGNE", "PERIGUEUX", 45.184, 0.721, 4.1),
    ("25", "DOUBS", "BESANCON", 47.238, 6.024, 5.4),
    ("26", "DROME", "VALENCE", 44.933, 4.892, 5.2),
    ("27", "EURE", "EVREUX", 49.027, 1.151, 6.0),
    ("28", "EURE-ET-LOIR", "CHARTRES", 48.446, 1.489, 4.3),
    ("29", "FINISTERE", "QUIMPER", 47.996, -4.102, 9.2),
    ("30", "GARD", "NIMES", 43.837, 4.360, 7.5),
    ("31", "HAUTE-GARONNE", "TOULOUSE", 43.605, 1.444, 14.0),
    ("32", "GERS", "AUCH", 43.646, 0.586, 1.9),
    ("33", "GIRONDE", "BORDEAUX", 44.838, -0.579, 16.5),
    ("34", "HERAULT", "MONTPELLIER", 43.611, 3.877, 12.0),
    ("35", "ILLE-ET-VILAINE", "RENNES", 48.117, -1.678, 11.0),
    ("36", "INDRE", "CHATEAUROUX", 46.810, 1.691, 2.2),
    ("37", "INDRE-ET-LOIRE", "TOURS", 47.394, 0.685, 6.1),
    ("38", "ISERE", "GRENOBLE", 45.188, 5.724, 12.7),
    ("39", "JURA", "LONS-LE-SAUNIER", 46.675, 5.555, 2.6),
    ("40", "LANDES", "MONT-DE-MARSAN", 43.890, -0.500, 4.1),
    ("41", "LOIR-ET-CHER", "BLOIS", 47.586, 1.336, 3.3),
    ("42", "LOIRE", "SAINT-ETIENNE", 45.440, 4.387, 7.6),
    ("43", "HAUTE-LOIRE", "LE PUY-EN-VELAY", 45.043, 3.885, 2.3),
    ("44", "LOIRE-ATLANTIQUE", "NANTES", 47.218, -1.554, 14.3),
    ("45", "LOIRET", "ORLEANS", 47.903, 1.909, 6.8),
    ("46", "LOT", "CAHORS", 44.448, 1.441, 1.7),
    ("47", "LOT-ET-GARONNE", "AGEN", 44.203, 0.616, 3.3),
    ("48", "LOZERE", "MENDE", 44.518, 3.500, 0.8),
    ("49", "MAINE-ET-LOIRE", "ANGERS", 47.478, -0.563, 8.2),
    ("50", "MANCHE", "SAINT-LO", 49.116, -1.091, 5.0),
    ("51", "MARNE", "CHALONS-EN-CHAMPAGNE", 48.957, 4.365, 5.7),
    ("52", "HAUTE-MARNE", "CHAUMONT", 48.111, 5.139, 1.7),
    ("53", "MAYENNE", "LAVAL", 48.073, -0.770, 3.1),
    ("54", "MEURTHE-ET-MOSELLE", "NANCY", 48.692, 6.184, 7.3),
    ("55", "MEUSE", "BAR-LE-DUC", 48.772, 5.160, 1.8),
    ("56", "MORBIHAN", "VANNES", 47.658, -2.760, 7.6),
    ("57", "MOSELLE", "METZ", 49.120, 6.176, 10.4),
    ("58", "NIEVRE", "NEVERS", 46.990, 3.159, 2.0),
    ("59", "NORD", "LILLE", 50.629, 3.057, 26.0),
    ("60", "OISE", "BEAUVAIS", 49.430, 2.081, 8.3),
    ("61", "ORNE", "ALENCON", 48.432, 0.091, 2.8),
    ("62", "PAS-DE-CALAIS", "ARRAS", 50.291, 2.777, 14.6),
    ("63", "PUY-DE-DOME", "CLERMONT-FERRAND", 45.778, 3.087, 6.6),
    ("64", "PYRENEES-ATLANTIQUES", "PAU", 43.295, -0.371, 6.8),
    ("65", "HAUTES-PYRENEES", "TARBES", 43.233, 0.078, 2.3),
    ("66", "PYRENEES-ORIENTALES", "PERPIGNAN", 42.699, 2.895, 4.8),
    ("67", "BAS-RHIN", "STRASBOURG", 48.573, 7.752, 11.4),
    ("68", "HAUT-RHIN", "COLMAR", 48.079, 7.358, 7.7),
    ("69", "RHONE", "LYON", 45.764, 4.836, 18.8),
    ("70", "HAUTE-SAONE", "VESOUL", 47.620, 6.155, 2.4),
    ("71", "SAONE-ET-LOIRE", "MACON", 46.307, 4.829, 5.5),
    ("72", "SARTHE", "LE MANS", 48.006, 0.199, 5.7),
    ("73", "SAVOIE", "CHAMBERY", 45.564, 5.918, 4.4),
    ("74", "HAUTE-SAVOIE", "ANNECY", 45.899, 6.129, 8.3),
    ("76", "SEINE-MARITIME", "ROUEN", 49.443, 1.100, 12.5),
    ("79", "DEUX-SEVRES", "NIORT", 46.323, -0.459, 3.7),
    ("80", "SOMME", "AMIENS", 49.894, 2.296, 5.7),
    ("81", "TARN", "ALBI", 43.929, 2.148, 3.9),
    ("82", "TARN-ET-GARONNE", "MONTAUBAN", 44.018, 1.355, 2.6),
    ("83", "VAR", "TOULON", 43.124, 5.928, 10.8),
    ("84", "VAUCLUSE", "AVIGNON", 43.949, 4.806, 5.6),
    ("85", "VENDEE", "LA ROCHE-SUR-YON", 46.670, -1.426, 6.8),
    ("86", "VIENNE", "POITIERS", 46.580, 0.340, 4.4),
    ("87", "HAUTE-VIENNE", "LIMOGES", 45.834, 1.261, 3.7),
    ("88", "VOSGES", "EPINAL", 48.173, 6.450, 3.6),
    ("89", "YONNE", "AUXERRE", 47.798, 3.567, 3.4),
    ("90", "TERRITOIRE DE BELFORT", "BELFORT", 47.640, 6.863, 1.4),
];

/// Overseas départements: FINESS département code `9A`… and numbers starting `971`…; no
/// Lambert-93 coordinates (mainland projection).
const OVERSEAS: &[(&str, &str, &str, &str, f64)] = &[
    ("9A", "971", "GUADELOUPE", "BASSE-TERRE", 3.8),
    ("9B", "972", "MARTINIQUE", "FORT-DE-FRANCE", 3.5),
    ("9C", "973", "GUYANE", "CAYENNE", 2.9),
    ("9D", "974", "LA REUNION", "SAINT-DENIS", 8.7),
    ("9F", "976", "MAYOTTE", "MAMOUDZOU", 3.0),
];

/// Every département of the chosen scale; the region's come first.
pub fn departements(national: bool) -> Vec<Departement> {
    let mut all: Vec<Departement> = ILE_DE_FRANCE
        .iter()
        .map(|(code, name, latitude, longitude, radius, weight, communes)| {
            dep(code, code, name, *latitude, *longitude, *radius, *weight, communes)
        })
        .collect();
    let mut others: Vec<&(&str, &str, &str, f64, f64, f64)> = OTHERS.iter().collect();
    if !national {
        // A region's referential still holds a few neighbours' sites (applications and
        // events about them test the "ES of the region" rule).
        others.retain(|(code, ..)| matches!(*code, "60" | "45"));
    }
    for (code, name, prefecture, latitude, longitude, weight) in others {
        let communes = [commune("001", prefecture, "")];
        all.push(dep(code, code, name, *latitude, *longitude, 20.0, *weight, &communes));
    }
    if national {
        for (code, prefix, name, prefecture, weight) in OVERSEAS {
            let communes = [commune("001", prefecture, "")];
            all.push(dep(code, prefix, name, f64::NAN, f64::NAN, 0.0, *weight, &communes));
        }
    }
    all
}

impl Departement {
    pub fn in_region(&self) -> bool {
        ILE_DE_FRANCE.iter().any(|row| row.0 == self.code)
    }

    pub fn is_overseas(&self) -> bool {
        self.latitude.is_nan()
    }

    /// A postal code for a commune without one in the table (`45000` for the Loiret).
    pub fn postal_code(&self, commune: &Commune) -> String {
        if commune.postal_code.is_empty() {
            format!("{:0<5}", self.finess_prefix)
        } else {
            commune.postal_code.to_owned()
        }
    }
}

/// WGS84 (degrees) to Lambert-93 (RGF93, EPSG:2154) metres: the projection of the FINESS
/// extract's mainland coordinates.
pub fn lambert93(latitude: f64, longitude: f64) -> (f64, f64) {
    const E: f64 = 0.081_819_191_042_815_8;
    const N: f64 = 0.725_607_765_053_267_1;
    const C: f64 = 11_754_255.426_096;
    const XS: f64 = 700_000.0;
    const YS: f64 = 12_655_612.049_876;
    let phi = latitude.to_radians();
    let sin_phi = phi.sin();
    let isometric = ((std::f64::consts::FRAC_PI_4 + phi / 2.0).tan()
        * ((1.0 - E * sin_phi) / (1.0 + E * sin_phi)).powf(E / 2.0))
    .ln();
    let radius = C * (-N * isometric).exp();
    let gamma = N * (longitude - 3.0).to_radians();
    (XS + radius * gamma.sin(), YS - radius * gamma.cos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert93_origin_and_paris() {
        // The projection's definition: 46.5° N, 3° E is (700 000, 6 600 000).
        let (x, y) = lambert93(46.5, 3.0);
        assert!(
            (x - 700_000.0).abs() < 0.01 && (y - 6_600_000.0).abs() < 0.01,
            "{x} {y}"
        );
        // Central Paris lies near (652 000, 6 862 000) on every Lambert-93 map.
        let (x, y) = lambert93(48.8566, 2.3522);
        assert!(
            (x - 652_000.0).abs() < 1_500.0 && (y - 6_862_000.0).abs() < 1_500.0,
            "{x} {y}"
        );
    }

    #[test]
    fn region_first_and_national_has_every_departement() {
        let region = departements(false);
        assert_eq!(region.iter().filter(|d| d.in_region()).count(), 8);
        assert!(region[..8].iter().all(Departement::in_region));
        let national = departements(true);
        assert_eq!(national.len(), 8 + OTHERS.len() + OVERSEAS.len());
        assert_eq!(national.len(), 101);
    }
}
