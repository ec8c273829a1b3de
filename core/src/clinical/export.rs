//! Export of everything the device holds as one JSON file, and its import.
//!
//! The file is versioned (`format`, `version`). Each document carries its
//! full Automerge bytes (hex), which is what import reads, and a readable
//! copy of its current state (the envelope and the record as plain JSON),
//! which is for people and other tools. Import checks the whole file before
//! writing and stores every document in one transaction: a malformed or
//! truncated file, a newer format or one damaged document refuses the
//! import and leaves the store as it was.

use automerge::AutoSerde;
use chrono::{DateTime, Utc};
use rapport_protocol::DocKind;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::id::ItemId;
use crate::safety::CrisisResource;
use crate::store::{ImportedDocument, Store};

/// The `format` field of every export.
pub const EXPORT_FORMAT: &str = "rapport-export";

/// The version this build writes and the newest it reads.
pub const EXPORT_VERSION: u32 = 1;

/// The device setting holding the crisis resources (see [`crate::safety`]).
const CRISIS_RESOURCES_SETTING: &str = crate::safety::RESOURCES_KEY;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportFile {
    format: String,
    version: u32,
    exported_at: DateTime<Utc>,
    /// As configured on the exporting device; absent if never configured.
    crisis_resources: Option<Vec<CrisisResource>>,
    documents: Vec<ExportedDocument>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportedDocument {
    id: ItemId,
    kind: DocKind,
    /// The account that owns it when it is not the exporting account's own
    /// (a therapist's note; a client's shared item on a therapist device).
    owner: Option<String>,
    deleted: bool,
    /// The whole Automerge document, hex: the authoritative copy.
    automerge: String,
    /// The document's current state as JSON (times in ms since the epoch).
    readable: serde_json::Value,
}

/// Why an export could not be imported; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not JSON, truncated, or not shaped like a Rapport export.
    #[error("this file is not a readable Rapport export ({reason}); nothing was imported")]
    Malformed { reason: String },

    /// Written by a newer version of Rapport.
    #[error(
        "this export has format version {found}, newer than this version of Rapport reads ({supported}); update the app; nothing was imported"
    )]
    NewerFormat { found: u64, supported: u32 },

    /// One document's bytes are damaged or do not match its kind.
    #[error("document {doc_id} in the export is damaged; nothing was imported")]
    DamagedDocument { doc_id: String },

    /// The device storage failed.
    #[error(transparent)]
    Store(Error),
}

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ImportReport {
    /// Documents in the file.
    pub documents: u32,
    /// Documents that changed this store (new, or with changes it lacked).
    pub changed: u32,
    pub crisis_resources: bool,
}

fn malformed(reason: impl Into<String>) -> ImportError {
    ImportError::Malformed {
        reason: reason.into(),
    }
}

/// A serde_json error said without quoting the file (which may hold
/// journal text): its category and position only.
fn json_error(e: &serde_json::Error) -> ImportError {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Eof => "it ends too early (truncated)",
        Category::Syntax => "it is not valid JSON",
        Category::Data => "a field has the wrong shape",
        Category::Io => "it could not be read",
    };
    malformed(format!("{what}, line {} column {}", e.line(), e.column()))
}

impl Store {
    /// Everything this device holds, as a JSON export (pretty-printed).
    pub fn export_json(&self) -> Result<String, Error> {
        let owners = self.owner_map()?;
        let ids = self.document_ids()?;
        let mut documents = Vec::with_capacity(ids.len());
        let mut failure = None;
        self.with_documents(&ids, |id, env, document| {
            let readable = match serde_json::to_value(AutoSerde::from(&*document)) {
                Ok(v) => v,
                Err(e) => {
                    failure = Some(Error::Storage(format!("export of {id}: {e}")));
                    serde_json::Value::Null
                }
            };
            documents.push(ExportedDocument {
                id: id.clone(),
                kind: env.kind,
                owner: owners.get(id).cloned(),
                deleted: env.deleted,
                automerge: hex::encode(document.document().save()),
                readable,
            });
            Ok(())
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        let crisis_resources = match self.device_setting(CRISIS_RESOURCES_SETTING)? {
            Some(_) => Some(self.own_crisis_resources()?),
            None => None,
        };
        let file = ExportFile {
            format: EXPORT_FORMAT.to_owned(),
            version: EXPORT_VERSION,
            exported_at: Utc::now(),
            crisis_resources,
            documents,
        };
        serde_json::to_string_pretty(&file).map_err(|e| Error::Storage(format!("export: {e}")))
    }

    /// Imports an export (into an empty store, or merged into this one, as
    /// Automerge merges). All or nothing.
    pub fn import_json(&self, json: &str) -> Result<ImportReport, ImportError> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| json_error(&e))?;
        let header = value
            .as_object()
            .ok_or_else(|| malformed("it is not a JSON object"))?;
        if header.get("format").and_then(|f| f.as_str()) != Some(EXPORT_FORMAT) {
            return Err(malformed("it has no \"format\": \"rapport-export\""));
        }
        let version = header
            .get("version")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| malformed("it has no format version"))?;
        if version > u64::from(EXPORT_VERSION) {
            return Err(ImportError::NewerFormat {
                found: version,
                supported: EXPORT_VERSION,
            });
        }
        if version == 0 {
            return Err(malformed("format version 0 does not exist"));
        }
        let file: ExportFile = serde_json::from_value(value).map_err(|e| json_error(&e))?;

        let mut incoming = Vec::with_capacity(file.documents.len());
        for d in &file.documents {
            let damaged = || ImportError::DamagedDocument {
                doc_id: d.id.to_string(),
            };
            if d.id.as_str().trim().is_empty() {
                return Err(malformed("a document has an empty id"));
            }
            let data = hex::decode(&d.automerge).map_err(|_| damaged())?;
            if data.is_empty() {
                return Err(damaged());
            }
            incoming.push(ImportedDocument {
                id: d.id.clone(),
                kind: d.kind,
                owner: d.owner.clone(),
                data,
            });
        }
        let mut settings = Vec::new();
        if let Some(resources) = file.crisis_resources {
            let resources = crate::safety::validated(resources)
                .map_err(|e| malformed(format!("a crisis resource is not usable ({e})")))?;
            let json = serde_json::to_string(&resources)
                .map_err(|e| ImportError::Store(Error::Storage(e.to_string())))?;
            settings.push((CRISIS_RESOURCES_SETTING.to_owned(), json));
        }
        let changed = self
            .import_documents(&incoming, &settings)
            .map_err(|e| match e {
                Error::MalformedChanges { doc_id } | Error::MalformedDocument { doc_id, .. } => {
                    ImportError::DamagedDocument { doc_id }
                }
                other => ImportError::Store(other),
            })?;
        Ok(ImportReport {
            documents: crate::clinical::count(incoming.len()),
            changed: crate::clinical::count(changed.len()),
            crisis_resources: !settings.is_empty(),
        })
    }
}
