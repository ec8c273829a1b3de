//! A kind-wide share a client gave a linked therapist ("all wins", "all
//! interactions with Sam"), kept as a document of the client's own record:
//! sealed, and synced between the client's devices like any item. The
//! server's kind grant lets the therapist fetch the sealed pieces; this
//! record is what lets one of the client's devices seal a document key for
//! the therapist at all (ADR 0012). An ended share stays, with when it
//! ended, so that every device of the client learns that access ended.

use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, Utc};
use rapport_protocol::{AccountId, DocKind};

use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::record::{IndexEntry, Record, require_text};

#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct KindShare {
    /// The therapist the share is for.
    #[autosurgeon(hydrate = "crate::doc::string")]
    pub therapist_id: AccountId,
    /// The kind shared, by its wire name ([`DocKind::as_str`]).
    pub kind: String,
    /// Only the items about this person, when set.
    #[autosurgeon(hydrate = "crate::doc::opt_string")]
    pub person_id: Option<ItemId>,
    #[autosurgeon(with = "crate::doc::timestamp")]
    pub shared_at: DateTime<Utc>,
    /// When the client ended the share (revoked the grant or ended the link).
    #[autosurgeon(with = "crate::doc::opt_timestamp")]
    pub ended_at: Option<DateTime<Utc>>,
}

impl KindShare {
    pub fn new(therapist_id: AccountId, kind: DocKind, person_id: Option<ItemId>) -> KindShare {
        KindShare {
            therapist_id,
            kind: kind.as_str().to_owned(),
            person_id,
            shared_at: Utc::now(),
            ended_at: None,
        }
    }

    /// The kind shared; `None` for a name this build does not know.
    pub fn doc_kind(&self) -> Option<DocKind> {
        DocKind::parse(&self.kind)
    }

    /// Whether this share, while in force, lets `therapist` read an item of
    /// `kind` about `person`.
    pub fn covers(&self, therapist: &AccountId, kind: DocKind, person: Option<&ItemId>) -> bool {
        self.ended_at.is_none()
            && &self.therapist_id == therapist
            && self.doc_kind() == Some(kind)
            && self
                .person_id
                .as_ref()
                .is_none_or(|wanted| person == Some(wanted))
    }
}

impl Record for KindShare {
    const KIND: DocKind = DocKind::KindShare;

    fn validate(&self) -> Result<()> {
        require_text("therapist_id", self.therapist_id.as_str())?;
        match self.doc_kind() {
            None => Err(Error::invalid(
                "kind",
                format!("unknown kind {:?}", self.kind),
            )),
            // Neither the authority itself nor a therapist's notes are the
            // client's to share by kind.
            Some(DocKind::KindShare | DocKind::Note) => Err(Error::invalid(
                "kind",
                format!("{} items cannot be shared by kind", self.kind),
            )),
            Some(_) => Ok(()),
        }
    }

    fn index(&self) -> IndexEntry {
        IndexEntry {
            at: Some(self.shared_at),
            person_id: self.person_id.clone(),
            goal_id: None,
            title: format!("{} shared", self.kind),
            text: Vec::new(),
        }
    }
}
