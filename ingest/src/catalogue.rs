//! The versioned question catalogue of the oSIS questionnaire, kept as data
//! (`data/catalogue/<version>.csv` and `campaigns.csv`): a new campaign with new questions is a
//! new file, not new code.
//!
//! `points` column: choices `oui=10|partiel=5|non=0`, or thresholds on the number (for
//! percentages and days) or on the age in days of a date at the declaration date:
//! `<=7:10|<=30:5|*:0` (first match wins). Empty: the question is not scored.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::tabular::table::{ValueKind, convert, parse_decimal_fr};
use crate::tabular::{Cell, read_csv};
use crate::text::{bool_fr, fold, parse_bool_fr, with_folded};

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("catalogue {file} : {message}")]
    Invalid { file: String, message: String },
    #[error("lecture du catalogue {file} : {source}")]
    Read { file: String, source: std::io::Error },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerType {
    YesNo,
    YesPartialNo,
    ThreeLevel,
    Percent,
    Days,
    Date,
    Count,
    FreeText,
}

impl AnswerType {
    fn parse(text: &str) -> Option<AnswerType> {
        Some(match text.trim() {
            "oui_non" => AnswerType::YesNo,
            "oui_partiel_non" => AnswerType::YesPartialNo,
            "niveau3" => AnswerType::ThreeLevel,
            "pourcentage" => AnswerType::Percent,
            "jours" => AnswerType::Days,
            "date" => AnswerType::Date,
            "nombre" => AnswerType::Count,
            "texte" => AnswerType::FreeText,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            AnswerType::YesNo => "oui_non",
            AnswerType::YesPartialNo => "oui_partiel_non",
            AnswerType::ThreeLevel => "niveau3",
            AnswerType::Percent => "pourcentage",
            AnswerType::Days => "jours",
            AnswerType::Date => "date",
            AnswerType::Count => "nombre",
            AnswerType::FreeText => "texte",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Rule {
    Choice(String, f64),
    AtMost(f64, f64),
    Below(f64, f64),
    Otherwise(f64),
}

#[derive(Debug, Clone)]
pub struct Question {
    pub code: String,
    pub domain: String,
    pub label: String,
    pub answer_type: AnswerType,
    rules: Vec<Rule>,
    pub weight: f64,
    /// The scorecard item this question evidences (`E1`…`E5`), if any.
    pub expectation: Option<String>,
}

/// A normalised answer: its canonical text and its points (when the question is scored).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub normalised: Cow<'static, str>,
    pub points: Option<f64>,
}

impl Question {
    pub fn is_scored(&self) -> bool {
        !self.rules.is_empty()
    }

    pub fn max_points(&self) -> Option<f64> {
        self.rules
            .iter()
            .map(|rule| match rule {
                Rule::Choice(_, points)
                | Rule::AtMost(_, points)
                | Rule::Below(_, points)
                | Rule::Otherwise(points) => *points,
            })
            .reduce(f64::max)
    }

    /// Reads an answer cell; the error is a reason in French for a reject.
    pub fn normalise(&self, cell: &Cell, declared_on: NaiveDate) -> Result<Answer, String> {
        // Shown in rejects only, except for free text and choices read from text.
        let shown = || cell.shown();
        let choice = |value: &'static str| Answer {
            normalised: Cow::Borrowed(value),
            points: self.choice_points(value),
        };
        match self.answer_type {
            AnswerType::YesNo => match cell {
                Cell::Bool(value) => Ok(choice(if *value { "oui" } else { "non" })),
                _ => {
                    let shown = shown();
                    parse_bool_fr(&shown)
                        .map(|value| choice(if value { "oui" } else { "non" }))
                        .ok_or_else(|| format!("réponse Oui ou Non attendue, « {shown} » lu"))
                }
            },
            AnswerType::YesPartialNo => {
                let shown = shown();
                with_folded(&shown, |folded| {
                    if folded.starts_with("partiel") || folded == "en partie" || folded == "p" {
                        Some(choice("partiel"))
                    } else {
                        bool_fr(folded)
                            .filter(|_| !folded.is_empty())
                            .map(|value| choice(if value { "oui" } else { "non" }))
                    }
                })
                .ok_or_else(|| format!("réponse Oui, Partiel ou Non attendue, « {shown} » lu"))
            }
            AnswerType::ThreeLevel => {
                let shown = shown();
                with_folded(&shown, |folded| {
                    ["informel", "partiel", "complet"]
                        .into_iter()
                        .find(|level| folded.starts_with(level))
                        .map(choice)
                })
                .ok_or_else(|| format!("réponse Informel, Partiel ou Complet attendue, « {shown} » lu"))
            }
            AnswerType::Percent | AnswerType::Days | AnswerType::Count => {
                let kind = if self.answer_type == AnswerType::Percent {
                    ValueKind::Percent
                } else {
                    ValueKind::Decimal
                };
                let value = match convert(cell, kind) {
                    Ok(crate::tabular::table::Value::Decimal(value)) => value,
                    _ => return Err(format!("{} attendu, « {} » lu", self.expected_number(), shown())),
                };
                if value < 0.0 || (self.answer_type != AnswerType::Percent && value.fract() != 0.0) {
                    return Err(format!("{} attendu, « {} » lu", self.expected_number(), shown()));
                }
                Ok(Answer {
                    normalised: Cow::Owned(format_number(value)),
                    points: self.threshold_points(value),
                })
            }
            AnswerType::Date => {
                let date = match convert(cell, ValueKind::Date) {
                    Ok(crate::tabular::table::Value::Date(date)) => date,
                    _ => return Err(format!("date attendue (jj/mm/aaaa), « {} » lu", shown())),
                };
                let age_days = (declared_on - date).num_days();
                if age_days < -1 {
                    return Err(format!(
                        "date postérieure à la mise à jour de la déclaration ({}) : « {} »",
                        declared_on.format("%d/%m/%Y"),
                        shown()
                    ));
                }
                Ok(Answer {
                    normalised: Cow::Owned(date.to_string()),
                    points: self.threshold_points(age_days.max(0) as f64),
                })
            }
            AnswerType::FreeText => Ok(Answer {
                normalised: Cow::Owned(shown().into_owned()),
                points: None,
            }),
        }
    }

    fn expected_number(&self) -> &'static str {
        match self.answer_type {
            AnswerType::Percent => "pourcentage de 0 à 100",
            AnswerType::Days => "nombre de jours",
            _ => "nombre entier",
        }
    }

    fn choice_points(&self, value: &str) -> Option<f64> {
        self.rules.iter().find_map(|rule| match rule {
            Rule::Choice(label, points) if label == value => Some(*points),
            _ => None,
        })
    }

    fn threshold_points(&self, value: f64) -> Option<f64> {
        self.rules.iter().find_map(|rule| match rule {
            Rule::AtMost(limit, points) if value <= *limit => Some(*points),
            Rule::Below(limit, points) if value < *limit => Some(*points),
            Rule::Otherwise(points) => Some(*points),
            _ => None,
        })
    }
}

fn format_number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{}", value as i64)
    } else {
        value.to_string()
    }
}

fn parse_rules(text: &str) -> Result<Vec<Rule>, String> {
    text.split('|')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let number = |text: &str| parse_decimal_fr(text).ok_or_else(|| format!("nombre illisible dans « {item} »"));
            if let Some((condition, points)) = item.split_once(':') {
                let points = number(points)?;
                if condition.trim() == "*" {
                    Ok(Rule::Otherwise(points))
                } else if let Some(limit) = condition.trim().strip_prefix("<=") {
                    Ok(Rule::AtMost(number(limit)?, points))
                } else if let Some(limit) = condition.trim().strip_prefix('<') {
                    Ok(Rule::Below(number(limit)?, points))
                } else {
                    Err(format!("condition « {condition} » inconnue (<=N, <N ou *)"))
                }
            } else if let Some((label, points)) = item.split_once('=') {
                Ok(Rule::Choice(fold(label), number(points)?))
            } else {
                Err(format!("règle « {item} » illisible (choix=points ou condition:points)"))
            }
        })
        .collect()
}

/// One catalogue version.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub version: String,
    pub questions: Vec<Question>,
    by_code: HashMap<String, usize>,
}

impl Catalogue {
    pub fn parse(version: &str, bytes: &[u8]) -> Result<Catalogue, CatalogueError> {
        let file = format!("{version}.csv");
        let invalid = |message: String| CatalogueError::Invalid {
            file: file.clone(),
            message,
        };
        let table = read_csv(bytes).map_err(|refusal| invalid(refusal.to_string()))?;
        let column = |name: &str| {
            table
                .column(&[name])
                .ok_or_else(|| invalid(format!("colonne « {name} » absente")))
        };
        let (code, domain, label, kind, points, weight, expectation) = (
            column("code")?,
            column("domaine")?,
            column("libelle")?,
            column("type")?,
            column("points")?,
            column("poids")?,
            column("attente")?,
        );
        let mut questions = Vec::new();
        let mut by_code = HashMap::new();
        for (line, fields) in &table.rows {
            let field = |index: usize| fields.get(index).map_or("", |text| text.trim());
            let at_line = |message: String| invalid(format!("ligne {line} : {message}"));
            let answer_type =
                AnswerType::parse(field(kind)).ok_or_else(|| at_line(format!("type « {} » inconnu", field(kind))))?;
            let rules = parse_rules(field(points)).map_err(at_line)?;
            let weight = if field(weight).is_empty() {
                1.0
            } else {
                parse_decimal_fr(field(weight)).ok_or_else(|| at_line("poids illisible".to_owned()))?
            };
            let question = Question {
                code: field(code).to_owned(),
                domain: field(domain).to_owned(),
                label: field(label).to_owned(),
                answer_type,
                rules,
                weight,
                expectation: Some(field(expectation).to_owned()).filter(|text| !text.is_empty()),
            };
            if by_code.insert(question.code.clone(), questions.len()).is_some() {
                return Err(at_line(format!("code {} en double", question.code)));
            }
            questions.push(question);
        }
        Ok(Catalogue {
            version: version.to_owned(),
            questions,
            by_code,
        })
    }

    pub fn question(&self, code: &str) -> Option<&Question> {
        self.by_code.get(code).map(|&index| &self.questions[index])
    }
}

/// Every catalogue version and which campaign uses which.
#[derive(Debug, Clone)]
pub struct Catalogues {
    versions: HashMap<String, Catalogue>,
    campaigns: HashMap<i64, String>,
}

const EMBEDDED_VERSIONS: &[(&str, &str)] = &[("v1", include_str!("../../data/catalogue/v1.csv"))];
const EMBEDDED_CAMPAIGNS: &str = include_str!("../../data/catalogue/campaigns.csv");

impl Catalogues {
    /// The demonstration catalogue shipped with the program.
    pub fn embedded() -> Catalogues {
        let versions = EMBEDDED_VERSIONS
            .iter()
            .map(|(version, text)| {
                let catalogue =
                    Catalogue::parse(version, text.as_bytes()).expect("the embedded catalogue is valid (tested)");
                (version.to_string(), catalogue)
            })
            .collect();
        let campaigns =
            parse_campaigns(EMBEDDED_CAMPAIGNS.as_bytes()).expect("the embedded campaign list is valid (tested)");
        Catalogues { versions, campaigns }
    }

    /// Every `<version>.csv` of a folder, with its `campaigns.csv`.
    pub fn load_dir(dir: &Path) -> Result<Catalogues, CatalogueError> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| CatalogueError::Read {
                file: path.display().to_string(),
                source,
            })
        };
        let campaigns = parse_campaigns(&read(&dir.join("campaigns.csv"))?)?;
        let mut versions = HashMap::new();
        let entries = std::fs::read_dir(dir).map_err(|source| CatalogueError::Read {
            file: dir.display().to_string(),
            source,
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(version) = path.file_stem().and_then(|stem| stem.to_str()).map(str::to_owned) else {
                continue;
            };
            if path.extension().is_some_and(|extension| extension == "csv") && version != "campaigns" {
                versions.insert(version.clone(), Catalogue::parse(&version, &read(&path)?)?);
            }
        }
        for (campaign, version) in &campaigns {
            if !versions.contains_key(version) {
                return Err(CatalogueError::Invalid {
                    file: "campaigns.csv".to_owned(),
                    message: format!("la campagne {campaign} utilise la version « {version} », absente du dossier"),
                });
            }
        }
        Ok(Catalogues { versions, campaigns })
    }

    /// The catalogue of the newest campaign listed.
    pub fn newest(&self) -> Option<&Catalogue> {
        self.campaigns
            .keys()
            .max()
            .and_then(|campaign| self.for_campaign(*campaign))
    }

    /// A catalogue version built from its CSV text for some campaigns (tests, deployments
    /// that keep their catalogue beside the program).
    pub fn from_text(version: &str, text: &str, campaigns: &[i64]) -> Result<Catalogues, CatalogueError> {
        let catalogue = Catalogue::parse(version, text.as_bytes())?;
        Ok(Catalogues {
            versions: HashMap::from([(version.to_owned(), catalogue)]),
            campaigns: campaigns
                .iter()
                .map(|campaign| (*campaign, version.to_owned()))
                .collect(),
        })
    }

    pub fn for_campaign(&self, campaign: i64) -> Option<&Catalogue> {
        self.campaigns
            .get(&campaign)
            .and_then(|version| self.versions.get(version))
    }
}

fn parse_campaigns(bytes: &[u8]) -> Result<HashMap<i64, String>, CatalogueError> {
    let invalid = |message: String| CatalogueError::Invalid {
        file: "campaigns.csv".to_owned(),
        message,
    };
    let table = read_csv(bytes).map_err(|refusal| invalid(refusal.to_string()))?;
    let (campaign, version) = (
        table
            .column(&["campagne"])
            .ok_or_else(|| invalid("colonne « campagne » absente".to_owned()))?,
        table
            .column(&["version"])
            .ok_or_else(|| invalid("colonne « version » absente".to_owned()))?,
    );
    table
        .rows
        .iter()
        .map(|(line, fields)| {
            let year = fields.get(campaign).and_then(|text| text.trim().parse::<i64>().ok());
            let name = fields
                .get(version)
                .map(|text| text.trim().to_owned())
                .filter(|text| !text.is_empty());
            match (year, name) {
                (Some(year), Some(name)) => Ok((year, name)),
                _ => Err(invalid(format!("ligne {line} illisible"))),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()
    }

    fn text(value: &str) -> Cell {
        Cell::Text(value.into())
    }

    #[test]
    fn the_embedded_catalogue_loads_with_its_eight_domains() {
        let catalogues = Catalogues::embedded();
        let catalogue = catalogues.for_campaign(2024).unwrap();
        assert_eq!(catalogue.questions.len(), 35);
        let mut domains: Vec<&str> = catalogue
            .questions
            .iter()
            .map(|question| question.domain.as_str())
            .collect();
        domains.dedup();
        assert_eq!(domains, ["GOUV", "CARTO", "SAUV", "IAM", "DET", "CONT", "SENSI", "INC"]);
        assert!(!catalogue.question("INC-01").unwrap().is_scored());
        assert_eq!(catalogue.question("GOUV-02").unwrap().max_points(), Some(10.0));
    }

    #[test]
    fn answers_are_normalised_and_scored() {
        let catalogue = Catalogues::embedded();
        let catalogue = catalogue.for_campaign(2024).unwrap();
        let answer = |code: &str, cell: Cell| catalogue.question(code).unwrap().normalise(&cell, declared());
        assert_eq!(
            answer("GOUV-01", text("Oui")),
            Ok(Answer {
                normalised: "oui".into(),
                points: Some(10.0)
            })
        );
        assert_eq!(
            answer("GOUV-01", Cell::Bool(false)),
            Ok(Answer {
                normalised: "non".into(),
                points: Some(0.0)
            })
        );
        assert_eq!(answer("GOUV-02", text("Partiellement")).unwrap().points, Some(5.0));
        assert_eq!(answer("IAM-01", text("Complète")).unwrap().normalised, "complet");
        // DET-03: <=7:10|<=30:5|*:0 — 7 days is the boundary of full points, 8 is not.
        assert_eq!(answer("DET-03", text("7")).unwrap().points, Some(10.0));
        assert_eq!(answer("DET-03", Cell::Number(8.0)).unwrap().points, Some(5.0));
        assert_eq!(answer("DET-03", text("31")).unwrap().points, Some(0.0));
        // SENSI-01: <1:0|<50:5|*:10 — 45 % gives 5, 50 % gives 10, an Excel 0.45 is 45 %.
        assert_eq!(answer("SENSI-01", text("45 %")).unwrap().points, Some(5.0));
        assert_eq!(answer("SENSI-01", Cell::Number(0.45)).unwrap().normalised, "45");
        assert_eq!(answer("SENSI-01", text("50")).unwrap().points, Some(10.0));
        // SAUV-02: <=365:10|<=730:5|*:0 at a declaration of 2024-06-30.
        // 2023-07-01 → 2024-06-30 is 365 days (2024 is a leap year: 366 days in the span 2023-06-30 → 2024-06-30).
        assert_eq!(answer("SAUV-02", text("01/07/2023")).unwrap().points, Some(10.0));
        assert_eq!(answer("SAUV-02", text("30/06/2023")).unwrap().points, Some(5.0));
        assert!(
            answer("GOUV-01", text("peut-être"))
                .unwrap_err()
                .contains("« peut-être »")
        );
        assert!(answer("DET-03", text("-3")).is_err());
        assert!(
            answer("SAUV-02", text("01/01/2030"))
                .unwrap_err()
                .contains("postérieure")
        );
        assert_eq!(
            answer("INC-01", text("3")),
            Ok(Answer {
                normalised: "3".into(),
                points: None
            })
        );
    }

    #[test]
    fn a_bad_catalogue_is_explained() {
        let error = Catalogue::parse(
            "v9",
            b"code;domaine;libelle;type;points;poids;attente\nX-01;X;Q;couleur;;1;\n",
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("ligne 2 : type « couleur » inconnu"),
            "{error}"
        );
        let error = Catalogue::parse(
            "v9",
            b"code;domaine;libelle;type;points;poids;attente\nX-01;X;Q;jours;>=3:1;1;\n",
        )
        .unwrap_err();
        assert!(error.to_string().contains("condition"), "{error}");
    }
}
