//! The public etalab FINESS extract (`etalab-cs1100507-stock-…csv`): headerless, `;`-separated,
//! a first line `finess;etalab;<n>;<date>`, then `structureet` lines (32 fields) and
//! `geolocalisation` lines (6 fields) in one file.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;

use crate::dates::{parse_date, to_date32};
use crate::finess::{Finess, FinessError};
use crate::report::{Diagnostics, Location, Refusal};
use crate::text::{SourceEncoding, decode_lenient};

const STRUCTURE_FIELDS: usize = 32;
const GEOLOCATION_FIELDS: usize = 6;

/// The extract, ready for the store: one row per FINESS ET.
#[derive(Debug)]
pub struct EtalabExtract {
    pub extract_date: Option<NaiveDate>,
    pub encoding: SourceEncoding,
    pub lines_read: u64,
    pub sites: RecordBatch,
}

/// Field names of `structureet` lines, in file order (inputs.md §7).
const STRUCTURE_COLUMNS: [&str; STRUCTURE_FIELDS] = [
    "line_kind",
    "finess_et",
    "finess_ej",
    "short_name",
    "long_name",
    "name_complement",
    "distribution_complement",
    "street_number",
    "street_type",
    "street_name",
    "street_complement",
    "locality",
    "commune_code",
    "departement",
    "departement_label",
    "postal_line",
    "phone",
    "fax",
    "category_code",
    "category_label",
    "category_group_code",
    "category_group_label",
    "siret",
    "ape_code",
    "mft_code",
    "mft_label",
    "sector_code",
    "sector_label",
    "opened_on",
    "authorised_on",
    "finess_updated_on",
    "uai",
];

/// Indices into `STRUCTURE_COLUMNS` of the date fields.
const DATE_FIELDS: [usize; 3] = [28, 29, 30];

struct Geolocation {
    x: Option<f64>,
    y: Option<f64>,
    source: String,
    updated_on: Option<NaiveDate>,
}

/// Whether the bytes look like an etalab extract (its first line).
pub fn looks_like(bytes: &[u8]) -> bool {
    let start = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    start.len() >= 14 && start[..14].eq_ignore_ascii_case(b"finess;etalab;")
}

pub fn parse(bytes: &[u8], diagnostics: &mut Diagnostics) -> Result<EtalabExtract, Refusal> {
    let (text, encoding) = decode_lenient(bytes);
    if text.trim().is_empty() {
        return Err(Refusal::Empty);
    }
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let header_fields: Vec<&str> = header.split(';').collect();
    if header_fields.len() < 2
        || !header_fields[0].eq_ignore_ascii_case("finess")
        || !header_fields[1].eq_ignore_ascii_case("etalab")
    {
        return Err(Refusal::Structure(format!(
            "la première ligne d'un extrait FINESS etalab doit commencer par « finess;etalab; », elle vaut « {} »",
            truncate(header, 80)
        )));
    }
    let extract_date = header_fields.get(3).and_then(|text| parse_date(text));
    if extract_date.is_none() {
        diagnostics.warn(
            Location::line(1),
            header_fields.get(3).copied(),
            "date de l'extrait illisible : l'extrait sera considéré comme le plus ancien lors des mises à jour",
        );
    }
    if encoding == SourceEncoding::Windows1252 {
        diagnostics.warn(
            Location::default(),
            None,
            "fichier décodé en Windows-1252 (Latin-1) : il n'est pas en UTF-8",
        );
    }

    let mut rows: Vec<(u64, Vec<&str>)> = Vec::new();
    let mut row_index_by_finess: HashMap<String, usize> = HashMap::new();
    let mut geolocations: HashMap<String, (u64, Geolocation)> = HashMap::new();
    let mut lines_read = 1u64;

    for (index, line) in lines.enumerate() {
        let line_number = index as u64 + 2;
        lines_read += 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(';').collect();
        match fields[0] {
            "structureet" => {
                if fields.len() < STRUCTURE_FIELDS {
                    diagnostics.reject(
                        Location::line(line_number),
                        Some(truncate(line, 120)),
                        format!(
                            "ligne structureet incomplète : {} champs au lieu de {STRUCTURE_FIELDS}",
                            fields.len()
                        ),
                    );
                    continue;
                }
                let finess_et = match check_finess(fields[1], line_number, "2 (nofinesset)", diagnostics) {
                    Ok(finess) => finess,
                    Err(error) => {
                        diagnostics.reject(
                            Location::line_column(line_number, "2 (nofinesset)"),
                            Some(fields[1]),
                            error.to_string(),
                        );
                        continue;
                    }
                };
                if !fields[2].trim().is_empty()
                    && let Err(error) = check_finess(fields[2], line_number, "3 (nofinessej)", diagnostics)
                {
                    diagnostics.reject(
                        Location::line_column(line_number, "3 (nofinessej)"),
                        Some(fields[2]),
                        error.to_string(),
                    );
                    continue;
                }
                match row_index_by_finess.get(finess_et.as_str()) {
                    Some(&previous) => {
                        diagnostics.warn(
                            Location::line(line_number),
                            Some(finess_et.as_str()),
                            format!(
                                "FINESS ET déjà présent ligne {} : la dernière ligne l'emporte",
                                rows[previous].0
                            ),
                        );
                        rows[previous] = (line_number, fields);
                    }
                    None => {
                        row_index_by_finess.insert(finess_et.as_str().to_owned(), rows.len());
                        rows.push((line_number, fields));
                    }
                }
            }
            "geolocalisation" => {
                if fields.len() < GEOLOCATION_FIELDS {
                    diagnostics.reject(
                        Location::line(line_number),
                        Some(truncate(line, 120)),
                        format!(
                            "ligne geolocalisation incomplète : {} champs au lieu de {GEOLOCATION_FIELDS}",
                            fields.len()
                        ),
                    );
                    continue;
                }
                let x = parse_coordinate(fields[2]);
                let y = parse_coordinate(fields[3]);
                if (x.is_none() && !fields[2].trim().is_empty()) || (y.is_none() && !fields[3].trim().is_empty()) {
                    diagnostics.warn(
                        Location::line(line_number),
                        Some(&format!("{};{}", fields[2], fields[3])),
                        "coordonnées illisibles : établissement gardé sans coordonnées",
                    );
                }
                // The source field itself contains commas but no `;`, so everything between the
                // coordinates and the last field is the source.
                let source = fields[4..fields.len() - 1].join(";");
                let geolocation = Geolocation {
                    x,
                    y,
                    source,
                    updated_on: parse_date(fields[fields.len() - 1]),
                };
                geolocations.insert(fields[1].trim().to_owned(), (line_number, geolocation));
            }
            other => {
                diagnostics.reject(
                    Location::line_column(line_number, "1"),
                    Some(truncate(other, 40)),
                    "type de ligne inconnu : « structureet » ou « geolocalisation » attendu",
                );
            }
        }
    }

    for (finess, (line_number, _)) in &geolocations {
        if !row_index_by_finess.contains_key(finess.as_str()) {
            diagnostics.warn(
                Location::line(*line_number),
                Some(finess),
                "géolocalisation d'un FINESS ET absent des lignes structureet : ignorée",
            );
        }
    }
    diagnostics.warnings.sort_by_key(|warning| warning.location.row);

    let sites = build_batch(&rows, &mut geolocations, extract_date, diagnostics);
    Ok(EtalabExtract {
        extract_date,
        encoding,
        lines_read,
        sites,
    })
}

/// Validates a FINESS field and warns about a bad Luhn key.
fn check_finess(text: &str, line: u64, column: &str, diagnostics: &mut Diagnostics) -> Result<Finess, FinessError> {
    let finess = Finess::parse(text)?;
    if finess.luhn_ok() == Some(false) {
        diagnostics.warn(
            Location::line_column(line, column),
            Some(finess.as_str()),
            format!("clé de contrôle (Luhn) du FINESS {finess} incorrecte : numéro conservé, vérifiez-le"),
        );
    }
    Ok(finess)
}

fn parse_coordinate(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    text.replace(',', ".")
        .parse()
        .ok()
        .filter(|value: &f64| value.is_finite())
}

fn truncate(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}

pub fn schema() -> Schema {
    let mut fields: Vec<Field> = STRUCTURE_COLUMNS[1..]
        .iter()
        .enumerate()
        .map(|(offset, name)| {
            let data_type = if DATE_FIELDS.contains(&(offset + 1)) {
                DataType::Date32
            } else {
                DataType::Utf8
            };
            Field::new(*name, data_type, true)
        })
        .collect();
    fields.push(Field::new("postal_code", DataType::Utf8, true));
    fields.push(Field::new("coord_x", DataType::Float64, true));
    fields.push(Field::new("coord_y", DataType::Float64, true));
    fields.push(Field::new("coord_source", DataType::Utf8, true));
    fields.push(Field::new("coord_updated_on", DataType::Date32, true));
    fields.push(Field::new("luhn_ok", DataType::Boolean, true));
    fields.push(Field::new("extract_date", DataType::Date32, true));
    Schema::new(fields)
}

fn build_batch(
    rows: &[(u64, Vec<&str>)],
    geolocations: &mut HashMap<String, (u64, Geolocation)>,
    extract_date: Option<NaiveDate>,
    diagnostics: &mut Diagnostics,
) -> RecordBatch {
    let row_count = rows.len();
    let mut text_columns: Vec<StringBuilder> = (1..STRUCTURE_FIELDS)
        .filter(|index| !DATE_FIELDS.contains(index))
        .map(|_| StringBuilder::with_capacity(row_count, row_count * 12))
        .collect();
    let mut date_columns: Vec<Date32Builder> = DATE_FIELDS
        .iter()
        .map(|_| Date32Builder::with_capacity(row_count))
        .collect();
    let mut postal_code = StringBuilder::with_capacity(row_count, row_count * 5);
    let mut coord_x = Float64Builder::with_capacity(row_count);
    let mut coord_y = Float64Builder::with_capacity(row_count);
    let mut coord_source = StringBuilder::with_capacity(row_count, row_count * 40);
    let mut coord_updated_on = Date32Builder::with_capacity(row_count);
    let mut luhn_ok = BooleanBuilder::with_capacity(row_count);
    let mut extract_dates = Date32Builder::with_capacity(row_count);

    for (line_number, fields) in rows {
        let mut text_index = 0;
        let mut date_index = 0;
        for (field_index, raw) in fields.iter().enumerate().take(STRUCTURE_FIELDS).skip(1) {
            let value = raw.trim();
            if DATE_FIELDS.contains(&field_index) {
                let parsed = parse_date(value);
                if parsed.is_none() && !value.is_empty() {
                    diagnostics.warn(
                        Location::line_column(
                            *line_number,
                            format!("{} ({})", field_index + 1, STRUCTURE_COLUMNS[field_index]),
                        ),
                        Some(value),
                        "date illisible : laissée vide",
                    );
                }
                date_columns[date_index].append_option(parsed.map(to_date32));
                date_index += 1;
            } else {
                text_columns[text_index].append_option((!value.is_empty()).then_some(value));
                text_index += 1;
            }
        }
        let postal_line = fields[15].trim();
        let postal = postal_line
            .get(..5)
            .filter(|code| code.bytes().all(|b| b.is_ascii_digit()));
        postal_code.append_option(postal);
        match geolocations.remove(fields[1].trim()) {
            Some((_, geolocation)) => {
                coord_x.append_option(geolocation.x);
                coord_y.append_option(geolocation.y);
                coord_source
                    .append_option((!geolocation.source.trim().is_empty()).then_some(geolocation.source.trim()));
                coord_updated_on.append_option(geolocation.updated_on.map(to_date32));
            }
            None => {
                coord_x.append_null();
                coord_y.append_null();
                coord_source.append_null();
                coord_updated_on.append_null();
            }
        }
        luhn_ok.append_option(Finess::parse(fields[1]).ok().and_then(|finess| finess.luhn_ok()));
        extract_dates.append_option(extract_date.map(to_date32));
    }

    let mut text_iter = text_columns.into_iter();
    let mut date_iter = date_columns.into_iter();
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(STRUCTURE_FIELDS + 6);
    for field_index in 1..STRUCTURE_FIELDS {
        let array: ArrayRef = if DATE_FIELDS.contains(&field_index) {
            Arc::new(date_iter.next().expect("one builder per date field").finish())
        } else {
            Arc::new(text_iter.next().expect("one builder per text field").finish())
        };
        columns.push(array);
    }
    columns.push(Arc::new(postal_code.finish()));
    columns.push(Arc::new(coord_x.finish()));
    columns.push(Arc::new(coord_y.finish()));
    columns.push(Arc::new(coord_source.finish()));
    columns.push(Arc::new(coord_updated_on.finish()));
    columns.push(Arc::new(luhn_ok.finish()));
    columns.push(Arc::new(extract_dates.finish()));
    RecordBatch::try_new(Arc::new(schema()), columns).expect("columns built to match the schema")
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::{Date32Type, Float64Type};

    pub(crate) const REAL_LINE: &str = "structureet;010000024;010780054;CH DE FLEYRIAT;CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT;;;900;RTE;DE PARIS;;;451;01;AIN;01440 VIRIAT;0474454647;0474454114;355;Centre Hospitalier (C.H.);1102;Centres Hospitaliers;26010004500012;8610Z;03;ARS établissements Publics de santé dotation globale;1;Etablissement public de santé;1979-02-13;1979-02-13;2020-02-04;";

    fn column<'a>(batch: &'a RecordBatch, name: &str) -> &'a dyn Array {
        batch.column(batch.schema().index_of(name).unwrap()).as_ref()
    }

    #[test]
    fn the_real_line_of_the_spec_is_read_field_by_field() {
        let file = format!(
            "finess;etalab;2;2024-07-05\n{REAL_LINE}\ngeolocalisation;010000024;870215.1;6571590.2;1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole);2024-06-30\n"
        );
        let mut diagnostics = Diagnostics::default();
        let extract = parse(file.as_bytes(), &mut diagnostics).unwrap();
        assert!(diagnostics.rejects.is_empty(), "{:?}", diagnostics.rejects);
        assert!(diagnostics.warnings.is_empty(), "{:?}", diagnostics.warnings);
        let batch = &extract.sites;
        assert_eq!(batch.num_rows(), 1);
        assert_eq!(extract.extract_date, NaiveDate::from_ymd_opt(2024, 7, 5));
        let text = |name| column(batch, name).as_string::<i32>().value(0).to_owned();
        assert_eq!(text("finess_ej"), "010780054");
        assert_eq!(text("long_name"), "CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT");
        assert_eq!(text("departement"), "01");
        assert_eq!(text("category_code"), "355");
        assert_eq!(text("sector_code"), "1");
        assert_eq!(text("postal_code"), "01440");
        assert_eq!(
            text("coord_source"),
            "1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)"
        );
        assert_eq!(
            column(batch, "coord_x").as_primitive::<Float64Type>().value(0),
            870215.1
        );
        assert_eq!(
            column(batch, "coord_y").as_primitive::<Float64Type>().value(0),
            6571590.2
        );
        let opened = column(batch, "opened_on").as_primitive::<Date32Type>().value(0);
        assert_eq!(opened, to_date32(NaiveDate::from_ymd_opt(1979, 2, 13).unwrap()));
        assert!(column(batch, "uai").is_null(0));
    }

    #[test]
    fn latin1_file_is_decoded_and_said_so() {
        // The real line has « établissements » and « santé »: é becomes the single byte 0xE9.
        let line = REAL_LINE;
        let mut bytes = b"finess;etalab;1;2024-07-05\n".to_vec();
        let (encoded, _, _) = encoding_rs::WINDOWS_1252.encode(line);
        bytes.extend_from_slice(&encoded);
        assert!(std::str::from_utf8(&bytes).is_err(), "the fixture must not be UTF-8");
        let mut diagnostics = Diagnostics::default();
        let extract = parse(&bytes, &mut diagnostics).unwrap();
        assert_eq!(extract.encoding, SourceEncoding::Windows1252);
        assert_eq!(
            column(&extract.sites, "mft_label").as_string::<i32>().value(0),
            "ARS établissements Publics de santé dotation globale"
        );
        assert!(diagnostics.warnings.iter().any(|w| w.message.contains("Windows-1252")));
    }

    #[test]
    fn bad_lines_are_rejected_with_their_line_number_and_bad_keys_warned() {
        let bad_key = REAL_LINE.replace("010000024", "010000025");
        let file = format!(
            "finess;etalab;4;2024-07-05\nstructureet;750100125;750712184;TROP COURT\n{bad_key}\nstructureet;ABC;750712184{}\nautre;x\n",
            ";".repeat(30)
        );
        let mut diagnostics = Diagnostics::default();
        let extract = parse(file.as_bytes(), &mut diagnostics).unwrap();
        assert_eq!(extract.sites.num_rows(), 1);
        let rows: Vec<_> = diagnostics.rejects.iter().map(|r| r.location.row.unwrap()).collect();
        assert_eq!(rows, vec![2, 4, 5]);
        assert!(diagnostics.rejects[0].reason.contains("4 champs au lieu de 32"));
        assert!(diagnostics.rejects[1].reason.contains("« ABC »"));
        let key_warning = &diagnostics.warnings[0];
        assert_eq!(key_warning.location.row, Some(3));
        assert_eq!(key_warning.value.as_deref(), Some("010000025"));
        assert!(key_warning.message.contains("Luhn"));
        assert!(!column(&extract.sites, "luhn_ok").as_boolean().value(0));
    }

    #[test]
    fn overseas_departement_codes_are_kept() {
        let line = REAL_LINE
            .replace("010000024", "970100012")
            .replace(";01;AIN;", ";9A;GUADELOUPE;");
        let file = format!("finess;etalab;1;2024-07-05\n{line}\n");
        let mut diagnostics = Diagnostics::default();
        let extract = parse(file.as_bytes(), &mut diagnostics).unwrap();
        assert_eq!(column(&extract.sites, "departement").as_string::<i32>().value(0), "9A");
        assert_eq!(
            column(&extract.sites, "departement_label").as_string::<i32>().value(0),
            "GUADELOUPE"
        );
    }

    #[test]
    fn a_file_that_is_not_an_extract_is_refused() {
        let mut diagnostics = Diagnostics::default();
        let refusal = parse(b"finess_et;ose\n750100125;oui\n", &mut diagnostics).unwrap_err();
        assert!(refusal.to_string().contains("finess;etalab;"), "{refusal}");
        assert_eq!(parse(b"  \n", &mut diagnostics).unwrap_err(), Refusal::Empty);
    }
}
