//! JSON for every page's data, under the same filters, and the OpenAPI document.

use analytics::Analytics;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde_json::{Value, json};

use super::auth::Viewer;
use super::params::Params;
use super::{AppState, WebError};

pub async fn page(
    State(state): State<AppState>,
    axum::Extension(viewer): axum::Extension<Viewer>,
    Path(page): Path<String>,
    Query(params): Query<Params>,
) -> Result<Json<Value>, WebError> {
    let as_of = params.as_of()?;
    let filter = params.filter()?;
    let page_name = page.clone();
    let scope = viewer.scope();
    // The unfiltered regional view of the region is kept; any other is computed alone (without
    // the page's year-before figures, which the API does not give).
    if page == "regional" && scope.is_region() && filter == analytics::Filter::default() {
        let day = state.regional(as_of, scope, filter).await?;
        return Ok(Json(
            serde_json::to_value(&day.report).map_err(|error| WebError::Internal(error.to_string()))?,
        ));
    }
    let value = state
        .with_connection(move |connection, settings| {
            let analytics = Analytics::new(connection, settings);
            let to_json = |value: Result<Value, serde_json::Error>| value.map_err(|error| WebError::Internal(error.to_string()));
            match page_name.as_str() {
                "regional" => to_json(serde_json::to_value(analytics.regional(as_of, &scope, &filter)?)),
                "etablissements" => to_json(serde_json::to_value(analytics.establishments(as_of, &scope, &filter)?)),
                "ciblage" => to_json(serde_json::to_value(analytics.targeting(as_of, &scope, &filter)?)),
                "aap" => to_json(serde_json::to_value(analytics.aap(as_of, &scope)?)),
                "exercices" => {
                    let (months, rows) = analytics.exercise_months(as_of, &scope, &filter, 24, 40)?;
                    to_json(Ok(json!({ "months": months, "establishments": rows })))
                }
                "qualite" => to_json(Ok(json!({
                    "sources": serde_json::to_value(analytics.sources(as_of, &scope)?).unwrap_or_default(),
                    "imports": serde_json::to_value(analytics.imports(100)?).unwrap_or_default(),
                    "unknown_establishments": serde_json::to_value(analytics.unknown_establishments()?).unwrap_or_default(),
                }))),
                "methodologie" => to_json(Ok(json!({
                    "text": analytics::methodology::text(settings),
                    "settings": serde_json::to_value(settings).unwrap_or_default(),
                }))),
                other => Err(WebError::NotFound(format!("aucune donnée « {other} »"))),
            }
        })
        .await?;
    Ok(Json(value))
}

pub async fn fiche(
    State(state): State<AppState>,
    axum::Extension(viewer): axum::Extension<Viewer>,
    Path(finess): Path<String>,
    Query(params): Query<Params>,
) -> Result<Json<Value>, WebError> {
    let as_of = params.as_of()?;
    let scope = viewer.scope();
    let fiche = state.fiche(finess, as_of, scope).await?;
    Ok(Json(
        serde_json::to_value(&*fiche).map_err(|error| WebError::Internal(error.to_string()))?,
    ))
}

pub async fn openapi() -> Json<Value> {
    let filters = json!([
        {"name": "date", "in": "query", "description": "Date de référence (aaaa-mm-jj ou jj/mm/aaaa), aujourd'hui par défaut", "schema": {"type": "string"}},
        {"name": "type", "in": "query", "schema": {"type": "string", "enum": ["ES", "ESMS"]}},
        {"name": "departement", "in": "query", "schema": {"type": "string"}},
        {"name": "famille", "in": "query", "schema": {"type": "string"}},
        {"name": "secteur", "in": "query", "schema": {"type": "string"}},
        {"name": "ose", "in": "query", "schema": {"type": "string", "enum": ["oui", "non"]}},
        {"name": "q", "in": "query", "description": "Recherche dans le nom et le FINESS", "schema": {"type": "string"}},
        {"name": "raison", "in": "query", "schema": {"type": "string"}}
    ]);
    let page = |summary: &str| json!({"get": {"summary": summary, "parameters": filters, "responses": {"200": {"description": "Données de la page, en JSON"}, "400": {"description": "Paramètre incorrect"}}}});
    Json(json!({
        "openapi": "3.1.0",
        "info": {"title": "Observatoire de la cybersécurité des établissements de santé", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Les données de chaque page, sous les mêmes filtres et les mêmes droits."},
        "paths": {
            "/api/regional": page("Vue régionale : chiffres clés, départements, distributions, tendances"),
            "/api/etablissements": page("Établissements : attentes E1–E5, maturité, fraîcheur, priorité"),
            "/api/etablissements/{finess}": {"get": {"summary": "Fiche établissement", "parameters": [
                {"name": "finess", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9][0-9AB][0-9]{7}$"}},
                {"name": "date", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Fiche"}, "404": {"description": "Établissement inconnu ou hors périmètre"}}}},
            "/api/ciblage": page("Liste de ciblage SESAN"),
            "/api/exercices": page("Exercices : carte de chaleur"),
            "/api/aap": page("Appel à projets : dossiers, contrôles, file, enveloppe"),
            "/api/qualite": page("Qualité des données : sources, imports, établissements inconnus"),
            "/api/methodologie": page("Méthodologie et réglages en vigueur"),
            "/export/{page}": {"get": {"summary": "Export d'une page (etablissements, ciblage, aap, departements, rejets)",
                "parameters": [{"name": "page", "in": "path", "required": true, "schema": {"type": "string"}},
                               {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "csv-rfc4180", "xlsx", "parquet"]}}],
                "responses": {"200": {"description": "Fichier"}}}}
        }
    }))
}
