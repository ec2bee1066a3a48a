//! JSON for every page's data, under the same filters, and the OpenAPI document.

use analytics::Analytics;
use axum::extract::State;
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::auth::Viewer;
use super::params::{Params, Path, Query};
use super::{AppState, WebError};

fn to_json<T: serde::Serialize>(value: &T) -> Result<Json<Value>, WebError> {
    serde_json::to_value(value)
        .map(Json)
        .map_err(|error| WebError::Internal(error.to_string()))
}

type PageArgs = (State<AppState>, Extension<Viewer>, Query<Params>);

pub async fn regional((State(state), Extension(viewer), Query(params)): PageArgs) -> Result<Json<Value>, WebError> {
    let as_of = params.as_of()?;
    let filter = params.filter()?;
    let scope = viewer.scope();
    // The unfiltered regional view of the region is kept; any other is computed alone (without
    // the page's year-before figures, which the API does not give).
    if scope.is_region() && filter == analytics::Filter::default() {
        let day = state.regional(as_of, scope, filter).await?;
        return to_json(&day.report);
    }
    let report = state
        .with_context(as_of, &scope.clone(), move |connection, settings| {
            Ok(Analytics::new(connection, settings).regional(as_of, &scope, &filter)?)
        })
        .await?;
    to_json(&report)
}

pub async fn establishments(
    (State(state), Extension(viewer), Query(params)): PageArgs,
) -> Result<Json<Value>, WebError> {
    let (as_of, filter, scope) = (params.as_of()?, params.filter()?, viewer.scope());
    let rows = state
        .with_context(as_of, &scope.clone(), move |connection, settings| {
            Ok(Analytics::new(connection, settings).establishments(as_of, &scope, &filter)?)
        })
        .await?;
    to_json(&rows)
}

pub async fn targeting((State(state), Extension(viewer), Query(params)): PageArgs) -> Result<Json<Value>, WebError> {
    let (as_of, filter, scope) = (params.as_of()?, params.filter()?, viewer.scope());
    let rows = state
        .with_context(as_of, &scope.clone(), move |connection, settings| {
            Ok(Analytics::new(connection, settings).targeting(as_of, &scope, &filter)?)
        })
        .await?;
    to_json(&rows)
}

pub async fn exercises((State(state), Extension(viewer), Query(params)): PageArgs) -> Result<Json<Value>, WebError> {
    let (as_of, filter, scope) = (params.as_of()?, params.heat_filter()?, viewer.scope());
    let groups = params.heat_groups(&filter)?;
    let (months, rows) = state
        .with_context(as_of, &scope.clone(), move |connection, settings| {
            Ok(Analytics::new(connection, settings).exercise_months(as_of, &scope, &filter, groups, 24)?)
        })
        .await?;
    Ok(Json(json!({ "months": months, "grouped_by": groups, "groups": rows })))
}

/// The call's queue as the viewer may see it: SESAN gets no amount (`Sight::aap`).
pub async fn aap((State(state), Extension(viewer), Query(params)): PageArgs) -> Result<Json<Value>, WebError> {
    let report = state.aap_report(params.as_of()?).await?;
    to_json(&viewer.sight.aap(&report))
}

pub async fn data_quality((State(state), Extension(viewer), Query(params)): PageArgs) -> Result<Json<Value>, WebError> {
    let (as_of, scope) = (params.as_of()?, viewer.scope());
    let (sources, imports, unknown) = state
        .with_context(as_of, &scope.clone(), move |connection, settings| {
            let analytics = Analytics::new(connection, settings);
            Ok((
                analytics.sources(as_of, &scope)?,
                analytics.imports(100)?,
                analytics.unknown_establishments()?,
            ))
        })
        .await?;
    Ok(Json(json!({
        "sources": serde_json::to_value(sources).unwrap_or_default(),
        "imports": serde_json::to_value(imports).unwrap_or_default(),
        "unknown_establishments": serde_json::to_value(unknown).unwrap_or_default(),
    })))
}

/// The methodology and the live settings as the viewer may read them (no amounts for SESAN).
pub async fn methodology(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
) -> Result<Json<Value>, WebError> {
    Ok(Json(json!({
        "text": state.methodology(&viewer.sight).await?,
        "settings": viewer.sight.settings(&state.settings),
    })))
}

pub async fn fiche(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(finess): Path<String>,
    Query(params): Query<Params>,
) -> Result<Json<Value>, WebError> {
    let as_of = params.as_of()?;
    let scope = viewer.scope();
    let fiche = state.fiche(finess, as_of, scope).await?;
    to_json(&*fiche)
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
    let export = |summary: &str| {
        json!({"get": {"summary": summary,
        "parameters": [{"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "csv-rfc4180", "xlsx", "parquet"]}}],
        "responses": {"200": {"description": "Fichier"}}}})
    };
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
            "/export/etablissements": export("Export des établissements"),
            "/export/ciblage": export("Export de la liste de ciblage"),
            "/export/aap": export("Export des dossiers de l'AAP"),
            "/export/departements": export("Export des indicateurs par département"),
            "/export/rejets": export("Export des lignes rejetées")
        }
    }))
}
