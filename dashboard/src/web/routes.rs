//! The one route table: every rule about a route (who may open it, whether its answer may be
//! shared between viewers, what it journals, whether it answers in JSON) sits in its entry.
//! The router, the authorisation middleware, the page cache, the journal, the navigation and
//! the authorisation test are all built from this table; nothing else names a path.

use axum::routing::{MethodRouter, get, post};

use super::{AppState, api, auth, exports, pages, sso};
use crate::accounts::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }

    pub fn of(method: &axum::http::Method) -> Option<Method> {
        match *method {
            axum::http::Method::GET => Some(Method::Get),
            axum::http::Method::POST => Some(Method::Post),
            _ => None,
        }
    }
}

/// Who may open a route. Allow-list: a route names its roles, or nobody opens it.
#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// Without a session: the login page, the health check, the stylesheet and script.
    Public,
    /// With a session whose role is listed (an empty list refuses everyone).
    Roles(&'static [Role]),
}

/// Whether the answer may be kept and served to another viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// Rendered at every request (state changes, the journal, data quality, session pages).
    Never,
    /// Kept per data version, reference day, address (filters included) and the viewer's
    /// sight (what they may see): never per session; the session's token and name are put
    /// in after the cache.
    Shared,
}

/// What a successful answer writes to the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Journal {
    Nothing,
    /// An establishment's fiche (page or JSON) seen by someone outside it: the FINESS.
    Fiche,
    /// An export by someone outside the establishments it holds: the filters and row count.
    Export,
}

/// How errors are answered: a French page, or JSON for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answers {
    Html,
    Json,
    /// A file download (exports): errors as a page, like a link a person clicked.
    File,
}

#[derive(Clone, Copy)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    /// What a user reads in the navigation (pages only).
    pub title: Option<&'static str>,
    pub access: Access,
    pub caching: Caching,
    pub journal: Journal,
    pub answers: Answers,
    pub handler: fn() -> MethodRouter<AppState>,
}

impl Route {
    /// Whether a viewer of `role` (or nobody, `None`) may open the route.
    pub fn opens_to(&self, role: Option<Role>) -> bool {
        match (self.access, role) {
            (Access::Public, _) => true,
            (Access::Roles(roles), Some(role)) => roles.contains(&role),
            (Access::Roles(_), None) => false,
        }
    }

    pub fn is_public(&self) -> bool {
        matches!(self.access, Access::Public)
    }
}

use Role::{Admin, Ars, Etablissement, Sesan};

const EVERY_ROLE: &[Role] = &[Ars, Sesan, Etablissement, Admin];
/// The region's analysts: every establishment, TLP amber and below.
const REGION: &[Role] = &[Ars, Sesan];
/// The region's analysts and an establishment (which sees its own rows only).
const REGION_AND_OWN: &[Role] = &[Ars, Sesan, Etablissement];
/// An establishment account alone (its own sites).
const OWN: &[Role] = &[Etablissement];
/// Imports, rejects and data quality.
const DATA_STEWARDS: &[Role] = &[Ars, Admin];

/// A page of the navigation, shared between viewers of the same sight.
const fn page(
    path: &'static str,
    title: &'static str,
    roles: &'static [Role],
    handler: fn() -> MethodRouter<AppState>,
) -> Route {
    Route {
        method: Method::Get,
        path,
        title: Some(title),
        access: Access::Roles(roles),
        caching: Caching::Shared,
        journal: Journal::Nothing,
        answers: Answers::Html,
        handler,
    }
}

const fn export(path: &'static str, roles: &'static [Role], handler: fn() -> MethodRouter<AppState>) -> Route {
    Route {
        method: Method::Get,
        path,
        title: None,
        access: Access::Roles(roles),
        caching: Caching::Shared,
        journal: Journal::Export,
        answers: Answers::File,
        handler,
    }
}

const fn api(path: &'static str, roles: &'static [Role], handler: fn() -> MethodRouter<AppState>) -> Route {
    Route {
        method: Method::Get,
        path,
        title: None,
        access: Access::Roles(roles),
        caching: Caching::Shared,
        journal: Journal::Nothing,
        answers: Answers::Json,
        handler,
    }
}

const fn asset(path: &'static str, handler: fn() -> MethodRouter<AppState>) -> Route {
    Route {
        method: Method::Get,
        path,
        title: None,
        access: Access::Public,
        caching: Caching::Never,
        journal: Journal::Nothing,
        answers: Answers::Html,
        handler,
    }
}

/// The table with one public entry per single sign-on callback path (the paths of the
/// providers' registered redirect URLs, known from the settings only): built once when the
/// server starts.
pub fn with_callbacks(paths: &[String]) -> &'static [Route] {
    if paths.is_empty() {
        return ROUTES;
    }
    let mut table = ROUTES.to_vec();
    for path in paths {
        let path: &'static str = Box::leak(path.clone().into_boxed_str());
        table.push(asset(path, || get(sso::callback)));
    }
    Box::leak(table.into_boxed_slice())
}

pub const ROUTES: &[Route] = &[
    asset("/connexion", || get(auth::login_form)),
    asset("/connexion/sso/{provider}", || get(sso::start)),
    Route {
        method: Method::Post,
        ..asset("/connexion", || post(auth::login))
    },
    Route {
        method: Method::Post,
        path: "/deconnexion",
        title: None,
        access: Access::Roles(EVERY_ROLE),
        caching: Caching::Never,
        journal: Journal::Nothing,
        answers: Answers::Html,
        handler: || post(auth::logout),
    },
    // Establishments are sent to their fiche and admins to data quality by the handler.
    page("/", "Vue régionale", EVERY_ROLE, || get(pages::regional)),
    page("/etablissements", "Établissements", REGION, || {
        get(pages::establishments)
    }),
    Route {
        title: None,
        journal: Journal::Fiche,
        ..page("/etablissements/{finess}", "", REGION_AND_OWN, || get(pages::fiche))
    },
    page("/mes-etablissements", "Mes établissements", OWN, || {
        get(pages::own_sites)
    }),
    page("/ciblage", "Ciblage SESAN", REGION, || get(pages::targeting)),
    page("/exercices", "Exercices", REGION, || get(pages::exercises)),
    page("/audits", "Audits", REGION, || get(pages::audits)),
    page("/aap", "AAP", REGION, || get(pages::aap)),
    // Imports change these pages at any moment: never kept.
    Route {
        caching: Caching::Never,
        ..page("/qualite", "Qualité des données", DATA_STEWARDS, || {
            get(pages::data_quality)
        })
    },
    Route {
        caching: Caching::Never,
        ..page("/import", "Import", DATA_STEWARDS, || get(pages::import_form))
    },
    Route {
        method: Method::Post,
        title: None,
        caching: Caching::Never,
        ..page("/import", "", DATA_STEWARDS, || post(pages::import_upload))
    },
    Route {
        caching: Caching::Never,
        ..page("/journal", "Journal d'audit", &[Admin], || get(pages::audit_log))
    },
    page("/methodologie", "Méthodologie", EVERY_ROLE, || get(pages::methodology)),
    page("/ressources", "Ressources et contacts", EVERY_ROLE, || {
        get(pages::resources)
    }),
    export("/export/etablissements", REGION_AND_OWN, || {
        get(exports::establishments)
    }),
    export("/export/ciblage", REGION, || get(exports::targeting)),
    export("/export/aap", REGION, || get(exports::aap)),
    export("/export/departements", REGION, || get(exports::departements)),
    Route {
        caching: Caching::Never,
        ..export("/export/rejets", DATA_STEWARDS, || get(exports::rejects))
    },
    Route {
        caching: Caching::Never,
        ..export("/export/journal", &[Admin], || get(exports::journal))
    },
    api("/api/regional", REGION, || get(api::regional)),
    api("/api/etablissements", REGION, || get(api::establishments)),
    Route {
        journal: Journal::Fiche,
        ..api("/api/etablissements/{finess}", REGION_AND_OWN, || get(api::fiche))
    },
    api("/api/ciblage", REGION, || get(api::targeting)),
    api("/api/exercices", REGION, || get(api::exercises)),
    api("/api/aap", REGION, || get(api::aap)),
    Route {
        caching: Caching::Never,
        ..api("/api/qualite", DATA_STEWARDS, || get(api::data_quality))
    },
    api("/api/methodologie", EVERY_ROLE, || get(api::methodology)),
    api("/api/openapi.json", EVERY_ROLE, || get(api::openapi)),
    asset("/static/style.css", || get(pages::stylesheet)),
    asset("/static/import.js", || get(pages::import_script)),
    asset("/sante", || get(|| async { "ok" })),
];

/// The entry of a matched route (`MatchedPath` is the route's pattern, after decoding and
/// matching by the router: a raw or percent-encoded string is never compared).
pub fn find(table: &'static [Route], method: &axum::http::Method, pattern: &str) -> Option<&'static Route> {
    let method = Method::of(method)?;
    table
        .iter()
        .find(|route| route.method == method && route.path == pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_and_path_appears_once() {
        for (index, route) in ROUTES.iter().enumerate() {
            assert!(
                !ROUTES[..index]
                    .iter()
                    .any(|other| other.method == route.method && other.path == route.path),
                "{} {} twice",
                route.method.name(),
                route.path
            );
        }
    }

    #[test]
    fn a_route_without_roles_is_refused_to_everyone() {
        let closed = Route {
            access: Access::Roles(&[]),
            ..page("/nouvelle", "Nouvelle", &[], || get(|| async { "secret" }))
        };
        for role in [None, Some(Ars), Some(Sesan), Some(Etablissement), Some(Admin)] {
            assert!(!closed.opens_to(role), "{role:?}");
        }
    }

    #[test]
    fn each_single_sign_on_callback_is_a_public_entry_of_the_table() {
        let table = with_callbacks(&["/connexion/proconnect/retour".to_owned()]);
        assert_eq!(table.len(), ROUTES.len() + 1);
        let callback = table.iter().find(|r| r.path == "/connexion/proconnect/retour").unwrap();
        assert!(callback.is_public() && callback.caching == Caching::Never);
        assert_eq!(with_callbacks(&[]).len(), ROUTES.len());
    }

    #[test]
    fn only_assets_and_the_login_are_public() {
        let public: Vec<&str> = ROUTES.iter().filter(|r| r.is_public()).map(|r| r.path).collect();
        assert_eq!(
            public,
            [
                "/connexion",
                "/connexion/sso/{provider}",
                "/connexion",
                "/static/style.css",
                "/static/import.js",
                "/sante"
            ]
        );
    }
}
