//! The query parameters every page understands (French names, as users see them in links).

use analytics::Filter;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::WebError;

/// The query string, read with French errors (axum's own extractor answers serde's English).
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Query<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, WebError> {
        serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map(Query)
            .map_err(|_| {
                WebError::BadRequest(
                    "paramètres de l'adresse illisibles (un numéro de page doit être un nombre entier positif, \
                     chaque paramètre ne doit paraître qu'une fois) : vérifiez le lien ou repartez du menu"
                        .to_owned(),
                )
            })
    }
}

/// A path segment (a FINESS), decoded by the router, with a French error when it is not text.
#[derive(Debug, Clone)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|_| WebError::NotFound("adresse illisible : FINESS attendu (9 caractères)".to_owned()))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Params {
    /// Reference date, `aaaa-mm-jj` or `jj/mm/aaaa`; default today.
    pub date: Option<String>,
    /// `ES` or `ESMS`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub departement: Option<String>,
    pub famille: Option<String>,
    pub secteur: Option<String>,
    /// `oui` or `non`.
    pub ose: Option<String>,
    /// Search in names and FINESS.
    pub q: Option<String>,
    pub raison: Option<String>,
    pub page: Option<usize>,
    pub tri: Option<String>,
    /// Indicator the map is coloured by.
    pub indicateur: Option<String>,
    /// How the exercises' heat map groups establishments: `departements` or `familles`.
    pub groupes: Option<String>,
}

fn given(value: &Option<String>) -> Option<String> {
    value
        .as_ref()
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

impl Params {
    pub fn as_of(&self) -> Result<NaiveDate, WebError> {
        match given(&self.date) {
            None => Ok(ingest::dates::paris_today()),
            Some(text) => ingest::dates::parse_date(&text)
                .ok_or_else(|| WebError::BadRequest(format!("date « {text} » illisible : jj/mm/aaaa attendu"))),
        }
    }

    pub fn filter(&self) -> Result<Filter, WebError> {
        let kind = given(&self.kind);
        if let Some(kind) = &kind
            && kind != "ES"
            && kind != "ESMS"
        {
            return Err(WebError::BadRequest(format!("type « {kind} » inconnu : ES ou ESMS")));
        }
        let ose = match given(&self.ose).as_deref() {
            None => None,
            Some("oui") => Some(true),
            Some("non") => Some(false),
            Some(other) => return Err(WebError::BadRequest(format!("OSE « {other} » : oui ou non attendu"))),
        };
        Ok(Filter {
            kind,
            departement: given(&self.departement),
            family: given(&self.famille),
            sector_group: given(&self.secteur),
            ose,
            search: given(&self.q),
            reason: given(&self.raison),
        })
    }

    /// The heat map's establishments: the filter's, health establishments (ES) unless it
    /// asks for a type (exercises are the ES's expectation).
    pub fn heat_filter(&self) -> Result<Filter, WebError> {
        let filter = self.filter()?;
        Ok(Filter {
            kind: filter.kind.clone().or(Some("ES".to_owned())),
            ..filter
        })
    }

    /// The heat map's grouping: as asked, else families within one département, else départements.
    pub fn heat_groups(&self, filter: &Filter) -> Result<analytics::HeatGroups, WebError> {
        match given(&self.groupes).as_deref() {
            Some("departements") => Ok(analytics::HeatGroups::Departements),
            Some("familles") => Ok(analytics::HeatGroups::Families),
            Some(other) => Err(WebError::BadRequest(format!(
                "groupes « {other} » : departements ou familles attendu"
            ))),
            None if filter.departement.is_some() => Ok(analytics::HeatGroups::Families),
            None => Ok(analytics::HeatGroups::Departements),
        }
    }

    /// The same filters as a query string, for export links and pagination.
    pub fn query_string(&self, page: Option<usize>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (name, value) in [
            ("date", &self.date),
            ("type", &self.kind),
            ("departement", &self.departement),
            ("famille", &self.famille),
            ("secteur", &self.secteur),
            ("ose", &self.ose),
            ("q", &self.q),
            ("raison", &self.raison),
            ("tri", &self.tri),
            ("indicateur", &self.indicateur),
            ("groupes", &self.groupes),
        ] {
            if let Some(value) = given(value) {
                pairs.push((name, value));
            }
        }
        if let Some(page) = page {
            pairs.push(("page", page.to_string()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}
