use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use ingest::InputKind;

#[derive(Debug, Parser)]
#[command(
    name = "opssies",
    version,
    about = "Observatoire régional de la cybersécurité des établissements de santé"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct StoreArgs {
    /// Fichier de la base DuckDB.
    #[arg(long, env = "OPSSIES_STORE", default_value = "opssies.duckdb", global = true)]
    pub store: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Importe des fichiers (ou tous les fichiers d'un dossier) dans la base.
    Ingest(IngestArgs),
    /// Liste les imports, du plus récent au plus ancien.
    Imports {
        #[command(flatten)]
        store: StoreArgs,
        /// Une ligne JSON par import.
        #[arg(long)]
        json: bool,
    },
    /// Écrit les lignes rejetées en CSV (toutes, ou celles d'un import).
    Rejects {
        #[command(flatten)]
        store: StoreArgs,
        /// Numéro d'import (voir `opssies imports`).
        import: Option<i64>,
    },
    /// Écrit les avertissements en CSV (tous, ou ceux d'un import).
    Warnings {
        #[command(flatten)]
        store: StoreArgs,
        /// Numéro d'import (voir `opssies imports`).
        import: Option<i64>,
    },
    /// Affiche le contenu de la base : version du schéma et nombre de lignes par table.
    Status {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Génère (ou réutilise) la région de démonstration, l'importe dans une base neuve et
    /// affiche la synthèse régionale.
    Demo(DemoArgs),
    /// Génère un jeu de données fictif aux formats réels, avec son manifest.json.
    DemoData(DemoDataArgs),
    /// Sauvegarde la base en fichiers Parquet, avec un manifest de sommes de contrôle.
    Backup {
        #[command(flatten)]
        store: StoreArgs,
        /// Dossier de la sauvegarde (neuf ou vide).
        #[arg(long)]
        out: PathBuf,
    },
    /// Copie de lecture de la base pour les analystes (DuckDB, Python, DBeaver, ouverte
    /// pendant que le serveur tourne) : tables et vues, sans comptes, journal ni caches.
    Snapshot {
        #[command(flatten)]
        store: StoreArgs,
        /// Fichier de la copie (par défaut à côté de la base : NOM-lecture.duckdb).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Restaure une sauvegarde dans une base neuve et vérifie chaque table.
    Restore {
        /// Dossier de la sauvegarde.
        dir: PathBuf,
        /// Base à créer (ne doit pas exister).
        #[arg(long, env = "OPSSIES_STORE", default_value = "opssies.duckdb")]
        store: PathBuf,
    },
    /// Comptes du tableau de bord : add, disable, list, reset-password.
    User {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        action: UserAction,
    },
    /// Journal d'audit : `verify` vérifie la chaîne des empreintes (code 1 si une ligne a été
    /// modifiée ou supprimée, avec son numéro).
    Journal {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        action: JournalAction,
    },
    /// Sert le tableau de bord web sur la base.
    Serve {
        #[command(flatten)]
        store: StoreArgs,
        /// Adresse d'écoute (127.0.0.1 par défaut : accessible depuis cette machine seulement).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Fichier de réglages du déploiement (par défaut data/settings.toml).
        #[arg(long, env = "OPSSIES_SETTINGS")]
        settings: Option<PathBuf>,
        /// Certificat (PEM) : sert en HTTPS (avec --tls-key).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// Clé privée du certificat (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Synthèse régionale et tableau par département, à une date de référence.
    Report(ReportArgs),
    /// Fiche d'un établissement : attentes avec preuves, maturité par domaine, pairs.
    Establishment {
        #[command(flatten)]
        common: AnalysisArgs,
        /// FINESS géographique (ET) de l'établissement.
        finess: String,
    },
    /// Liste de ciblage SESAN : priorité, raisons et offre correspondante.
    Targeting(ReportArgs),
    /// Appel à projets : contrôles de chaque dossier, file d'attente et enveloppe.
    Aap(ReportArgs),
    /// Export vers l'entrepôt national OPSSIES (schéma v0.13, fichiers SENDER-D1-…json) :
    /// les exercices du classeur de suivi qu'OPSSIES n'a pas reçus et ceux financés par l'AAP,
    /// seulement ce qui n'a pas déjà été envoyé.
    OpssiesExport(OpssiesExportArgs),
    /// Dossier mensuel pour l'ARS (TLP amber) : rapport régional XLSX, une fiche PDF d'une
    /// page par établissement, synthèse régionale PDF, manifest.json (SHA-256 de chaque fichier).
    Publish(PublishArgs),
    /// Méthodologie : définitions et seuils, d'après les réglages en vigueur.
    Methodology {
        /// Fichier de réglages du déploiement (par défaut data/settings.toml).
        #[arg(long, env = "OPSSIES_SETTINGS")]
        settings: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct AnalysisArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Date de référence (AAAA-MM-JJ ou JJ/MM/AAAA) ; par défaut aujourd'hui.
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<chrono::NaiveDate>,
    /// Fichier de réglages du déploiement (par défaut data/settings.toml).
    #[arg(long, env = "OPSSIES_SETTINGS")]
    pub settings: Option<PathBuf>,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Dossier du dossier mensuel (neuf ou vide).
    #[arg(long)]
    pub out: PathBuf,
    /// Date de référence (AAAA-MM-JJ ou JJ/MM/AAAA) ; par défaut aujourd'hui.
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<chrono::NaiveDate>,
    /// Fichier de réglages du déploiement (par défaut data/settings.toml).
    #[arg(long, env = "OPSSIES_SETTINGS")]
    pub settings: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct OpssiesExportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Dossier où écrire le fichier (créé s'il n'existe pas).
    #[arg(long)]
    pub out: PathBuf,
    /// Seulement ce qui a été importé depuis cette date (AAAA-MM-JJ ou JJ/MM/AAAA).
    #[arg(long, value_parser = parse_date)]
    pub since: Option<chrono::NaiveDate>,
    /// Expéditeur dans le nom du fichier (par défaut [opssies_export] sender des réglages).
    #[arg(long)]
    pub sender: Option<String>,
    /// Renvoie aussi ce qu'un export précédent a déjà envoyé.
    #[arg(long)]
    pub resend: bool,
    /// Fichier de réglages du déploiement (par défaut data/settings.toml).
    #[arg(long, env = "OPSSIES_SETTINGS")]
    pub settings: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub common: AnalysisArgs,
    /// ES ou ESMS.
    #[arg(long)]
    pub kind: Option<String>,
    /// Code du département (75, 77…).
    #[arg(long)]
    pub departement: Option<String>,
    /// Famille de catégorie (CH, CHU, Clinique MCO, EHPAD…).
    #[arg(long)]
    pub family: Option<String>,
    /// Secteur (Public, Privé commercial…).
    #[arg(long)]
    pub sector: Option<String>,
    /// Seulement les OSE (true) ou seulement les autres (false).
    #[arg(long)]
    pub ose: Option<bool>,
    /// Raison de priorité (ciblage) : exercice, audits OSE, déclaration, maturité…
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Csv,
}

fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    ingest::dates::parse_date(text)
        .ok_or_else(|| format!("date illisible « {text} » : AAAA-MM-JJ ou JJ/MM/AAAA attendu"))
}

/// The identity a provider vouches for: its subject (`sub`), or an e-mail it verified.
#[derive(Debug, Clone, clap::Args)]
#[group(id = "identity", multiple = false)]
pub struct IdentityArgs {
    /// Le sujet (`sub`) que le fournisseur donne à cette personne.
    #[arg(long)]
    pub subject: Option<String>,
    /// Une adresse électronique que le fournisseur a vérifiée.
    #[arg(long)]
    pub email: Option<String>,
    /// Compte etablissement : tout professionnel dont les structures données par le
    /// fournisseur (SubjectRefPro de Pro Santé Connect) comprennent le FINESS du compte.
    #[arg(long)]
    pub sso_finess_claim: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Crée un compte ; le mot de passe est demandé (ou lu sur l'entrée standard), jamais en argument.
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: crate::accounts::Role,
        /// Pour le rôle etablissement : FINESS EJ (tous ses sites) ou ET.
        #[arg(long)]
        finess: Option<String>,
        /// Compte ouvert par un fournisseur d'identité ([[sso]] name) : aucun mot de passe.
        #[arg(long, requires = "identity")]
        sso: Option<String>,
        #[command(flatten)]
        identity: Option<IdentityArgs>,
    },
    /// Lie un compte existant à une identité d'un fournisseur (sujet ou adresse vérifiée).
    Bind {
        name: String,
        #[arg(long)]
        sso: String,
        #[command(flatten)]
        identity: IdentityArgs,
    },
    /// Désactive un compte.
    Disable { name: String },
    /// Liste les comptes.
    List,
    /// Change le mot de passe d'un compte (et le réactive).
    ResetPassword { name: String },
}

#[derive(Debug, Subcommand)]
pub enum JournalAction {
    /// Vérifie que chaque ligne du journal suit la précédente et n'a pas été modifiée.
    Verify,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Dossier des fichiers de démonstration (générés s'il n'y a pas de manifest.json).
    #[arg(long, default_value = "opssies-demo")]
    pub dir: PathBuf,
    /// Fichier de la base de démonstration (recréé à chaque fois).
    #[arg(long, default_value = "opssies-demo.duckdb")]
    pub store: PathBuf,
    /// Port du tableau de bord servi ensuite sur 127.0.0.1 (0 : n'importe quel port libre).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Affiche la synthèse et s'arrête, sans servir le tableau de bord.
    #[arg(long)]
    pub no_serve: bool,
}

#[derive(Debug, Args)]
pub struct DemoDataArgs {
    /// Dossier où écrire les fichiers (créé au besoin).
    #[arg(long)]
    pub out: PathBuf,
    /// Étendue : la région (Île-de-France) ou la France entière.
    #[arg(long, value_enum, default_value_t = ScaleArg::Region)]
    pub scale: ScaleArg,
    /// Nombre de campagnes oSIS, jusqu'à l'année en cours (par défaut : depuis 2023, au moins 3).
    #[arg(long)]
    pub campaigns: Option<u32>,
    /// Graine du générateur : la même graine et la même date donnent les mêmes fichiers.
    #[arg(long, default_value_t = 2023)]
    pub seed: u64,
    /// Date du jour du jeu (AAAA-MM-JJ) ; par défaut aujourd'hui.
    #[arg(long)]
    pub today: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ScaleArg {
    Region,
    National,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Type des fichiers, s'il ne peut pas être reconnu : opssies-events, finess, ose-ght, osis, grille, exercices, aap, incidents.
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<InputKind>,
    /// Un objet JSON par fichier sur la sortie standard.
    #[arg(long)]
    pub json: bool,
    /// Nom de la personne qui importe (par défaut l'utilisateur du système).
    #[arg(long, env = "OPSSIES_USER")]
    pub user: Option<String>,
    /// Dossier des catalogues de questions (un fichier <version>.csv par version et
    /// campaigns.csv) ; par défaut le catalogue de démonstration intégré.
    #[arg(long, env = "OPSSIES_CATALOGUE")]
    pub catalogue: Option<PathBuf>,
    /// Fichier des points par niveau des grilles d'auto-évaluation (niveau;points) ;
    /// par défaut data/self_assessment_points.csv (1 / 5 / 10).
    #[arg(long, env = "OPSSIES_GRILLE_POINTS")]
    pub grid_points: Option<PathBuf>,
    /// Taille maximale d'un fichier, en Mio.
    #[arg(long, default_value_t = 200)]
    pub max_size_mib: u64,
    /// Fichiers ou dossiers à importer.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

fn parse_kind(text: &str) -> Result<InputKind, String> {
    text.parse()
}
