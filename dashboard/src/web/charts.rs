//! Charts drawn on the server as SVG with plotters, in French formats, each with a title,
//! axis labels, a text summary and its data table (the page shows the last two).

use plotters::prelude::*;
use plotters::style::RGBColor;

use crate::format;

/// The one action blue of French public-service sites.
pub const BLUE: RGBColor = RGBColor(0, 0, 145);
const LIGHT_BLUE: RGBColor = RGBColor(202, 202, 251);
const GREY: RGBColor = RGBColor(102, 102, 102);

fn font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&BLACK)
}

/// Vertical bars, one per label; `percent` shows the axis in %.
pub fn bars(title: &str, y_label: &str, data: &[(String, f64)], max: f64, percent: bool) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (680, 320)).into_drawing_area();
        let _ = draw_bars(&root, title, y_label, data, max, percent);
    }
    svg
}

fn draw_bars(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    title: &str,
    y_label: &str,
    data: &[(String, f64)],
    max: f64,
    percent: bool,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let count = data.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(16))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(56)
        .build_cartesian_2d((0..count).into_segmented(), 0f64..max.max(1e-9))
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .y_desc(y_label)
        .x_labels(count)
        .x_label_style(font(11))
        .y_label_style(font(11))
        .x_label_formatter(&|value| match value {
            SegmentValue::CenterOf(index) => data.get(*index).map(|(label, _)| label.clone()).unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|value| {
            if percent {
                format!("{} %", format::number(*value * 100.0, 0))
            } else {
                format::number(*value, 0)
            }
        })
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(data.iter().enumerate().map(|(index, (_, value))| {
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(index), 0.0),
                    (SegmentValue::Exact(index + 1), *value),
                ],
                BLUE.filled(),
            );
            bar.set_margin(0, 0, 8, 8);
            bar
        }))
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}

/// A line over time (one point per label), values as shares.
pub fn line(title: &str, y_label: &str, data: &[(String, f64)]) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (680, 300)).into_drawing_area();
        let _ = draw_line(&root, title, y_label, data);
    }
    svg
}

fn draw_line(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    title: &str,
    y_label: &str,
    data: &[(String, f64)],
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let count = data.len().max(2);
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..(count - 1) as f64, 0f64..1f64)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .y_desc(y_label)
        .x_labels(count.min(12))
        .x_label_style(font(11))
        .y_label_style(font(11))
        .x_label_formatter(&|value| {
            data.get(value.round() as usize)
                .map(|(label, _)| label.clone())
                .unwrap_or_default()
        })
        .y_label_formatter(&|value| format!("{} %", format::number(*value * 100.0, 0)))
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(LineSeries::new(
            data.iter()
                .enumerate()
                .map(|(index, (_, value))| (index as f64, *value)),
            BLUE.stroke_width(3),
        ))
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}

/// A heat map row: its label, and for each month a count and the share it is of the row.
pub type HeatRow = (String, Vec<(i64, f64)>);

/// Groups × months: each cell shaded by its share, its count written in it.
pub fn heat_map(title: &str, rows: &[HeatRow], months: &[String]) -> String {
    let (cell_width, cell_height) = (24i32, 22i32);
    let left = 170i32;
    let top = 40i32;
    let width = left + cell_width * months.len() as i32 + 20;
    let height = top + cell_height * rows.len() as i32 + 40;
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (width.max(300) as u32, height.max(100) as u32)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let _ = root.draw(&Text::new(title.to_owned(), (8, 8), font(16)));
        for (column, month) in months.iter().enumerate() {
            if column % 3 == 0 {
                let x = left + column as i32 * cell_width;
                let _ = root.draw(&Text::new(
                    month.clone(),
                    (x, top + cell_height * rows.len() as i32 + 6),
                    font(10),
                ));
            }
        }
        for (row, (label, cells)) in rows.iter().enumerate() {
            let y = top + row as i32 * cell_height;
            let _ = root.draw(&Text::new(label.clone(), (4, y + 5), font(11)));
            for (column, (count, share)) in cells.iter().enumerate() {
                let x = left + column as i32 * cell_width;
                // A month with one exercise in ten establishments is already dark: shares of
                // a month are small (the 12-month rate spread over 12 months).
                let strength = (share * 10.0).clamp(0.0, 1.0);
                let mix = |light: u8, dark: u8| {
                    (f64::from(light) + (f64::from(dark) - f64::from(light)) * strength).round() as u8
                };
                let shade = if *count == 0 {
                    RGBColor(242, 242, 242)
                } else {
                    RGBColor(mix(210, 0), mix(215, 0), mix(250, 145))
                };
                let _ = root.draw(&Rectangle::new(
                    [(x, y), (x + cell_width - 2, y + cell_height - 2)],
                    shade.filled(),
                ));
                if *count > 0 {
                    let ink = if strength > 0.5 { WHITE } else { BLACK };
                    let style = ("sans-serif", 10).into_font().color(&ink);
                    let _ = root.draw(&Text::new(count.to_string(), (x + 3, y + 5), style));
                }
            }
        }
        let _ = root.present();
    }
    svg
}

/// One establishment against its peers: for each group, the band of the middle 60 %
/// (worst 20 % to best 20 %), the median and the establishment's value.
/// A group's label, its (worst 20 %, median, best 20 %) when shown, and the establishment's value.
pub type PeerRow = (String, Option<(f64, f64, f64)>, Option<f64>);

/// A title cut into lines of at most `width` characters at spaces (an SVG text does not wrap:
/// a long title would run off the chart).
fn wrapped(title: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in title.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// The regional trend: the exercise rate at each month end, labelled `mm/yy` (the Vue
/// régionale's chart and table, and the monthly pack's summary).
pub fn monthly_rates(report: &analytics::RegionalReport) -> Vec<(String, f64)> {
    report
        .monthly_exercises
        .iter()
        .map(|m| {
            (
                m.month_end.format("%m/%y").to_string(),
                analytics::Figures::rate(m.done, m.establishments).unwrap_or(0.0),
            )
        })
        .collect()
}

/// The chart of [`monthly_rates`].
pub fn monthly_exercises(rates: &[(String, f64)], period: &str) -> String {
    line(
        &format!("Exercice réalisé dans les {period}, fin de chaque mois"),
        "part des établissements",
        rates,
    )
}

/// A fiche's overall maturity against each of its peer groups: the rows and their chart, as
/// the fiche page and the monthly pack's PDF fiche show them.
pub fn fiche_peers(fiche: &analytics::Fiche) -> (Vec<PeerRow>, String) {
    let rows: Vec<PeerRow> = fiche
        .benchmarks
        .iter()
        .filter(|b| b.measure == "Maturité globale")
        .map(|b| {
            (
                format!("{} ({})", b.group, b.group_label),
                b.figures.as_ref().map(|f| (f.worst_20, f.median, f.best_20)),
                b.value,
            )
        })
        .collect();
    let svg = peers(
        "Maturité globale face aux pairs (bande : des 20 % les moins bons aux 20 % les meilleurs ; trait : médiane ; point : l'établissement)",
        &rows,
        100.0,
    );
    (rows, svg)
}

pub fn peers(title: &str, rows: &[PeerRow], max: f64) -> String {
    let title_lines = wrapped(title, 72);
    let extra = 20 * (title_lines.len().max(1) as i32 - 1);
    let height = 60 + extra + 44 * rows.len() as i32;
    let (left, right) = (200i32, 640i32);
    let scale = |value: f64| left + ((value / max.max(1e-9)).clamp(0.0, 1.0) * f64::from(right - left)) as i32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (680, height as u32)).into_drawing_area();
        let _ = root.fill(&WHITE);
        for (index, line) in title_lines.iter().enumerate() {
            let _ = root.draw(&Text::new(line.clone(), (8, 8 + 20 * index as i32), font(16)));
        }
        for (index, (group, figures, value)) in rows.iter().enumerate() {
            let y = 44 + extra + index as i32 * 44;
            let _ = root.draw(&Text::new(group.clone(), (8, y + 6), font(12)));
            match figures {
                Some((worst, median, best)) => {
                    let _ = root.draw(&Rectangle::new(
                        [(scale(*worst), y), (scale(*best), y + 20)],
                        LIGHT_BLUE.filled(),
                    ));
                    let _ = root.draw(&PathElement::new(
                        vec![(scale(*median), y - 3), (scale(*median), y + 23)],
                        GREY.stroke_width(3),
                    ));
                }
                None => {
                    let _ = root.draw(&Text::new("effectif insuffisant".to_owned(), (left, y + 4), font(12)));
                }
            }
            if let Some(value) = value {
                let _ = root.draw(&Circle::new((scale(*value), y + 10), 7, BLUE.filled()));
            }
        }
        let _ = root.draw(&PathElement::new(
            vec![(left, height - 12), (right, height - 12)],
            GREY.stroke_width(1),
        ));
        let _ = root.draw(&Text::new("0".to_owned(), (left - 4, height - 10), font(10)));
        let _ = root.draw(&Text::new(format::number(max, 0), (right - 10, height - 10), font(10)));
        let _ = root.present();
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_title_is_wrapped_whole() {
        let title = "Maturité globale face aux pairs (bande : des 20 % les moins bons aux 20 % les meilleurs ; trait : médiane ; point : l'établissement)";
        let lines = wrapped(title, 72);
        assert!(
            lines.len() == 2 && lines.iter().all(|line| line.chars().count() <= 72),
            "{lines:?}"
        );
        assert_eq!(lines.join(" "), title);
        let svg = peers(
            title,
            &[("Région".to_owned(), Some((10.0, 20.0, 30.0)), Some(25.0))],
            100.0,
        );
        assert!(svg.contains("point : l"), "{svg:.3000}");
    }
}
