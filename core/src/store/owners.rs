//! Who owns the documents this device received from other accounts. The sync
//! engine records it from each pull; the therapist's views group by it, and
//! the engine never pushes changes to a document someone else owns.

use rusqlite::OptionalExtension;

use super::Store;
use crate::error::Result;
use crate::id::ItemId;
use rapport_protocol::AccountId;

/// Refuses a local edit of a document another account owns.
pub(super) fn check_writable(
    tx: &rusqlite::Connection,
    id: &ItemId,
    kind: rapport_protocol::DocKind,
) -> Result<()> {
    let owner: Option<String> = tx
        .query_row(
            "SELECT owner FROM doc_owners WHERE doc_id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    match owner {
        Some(owner) => Err(crate::error::Error::ReadOnly {
            kind: kind.as_str(),
            id: id.to_string(),
            owner: AccountId(owner),
        }),
        None => Ok(()),
    }
}

impl Store {
    /// Records that each document belongs to the other account named beside
    /// it. The sync engine does this for every pull; public so that a test
    /// or tool that hands documents between stores in process can say whose
    /// they are.
    pub fn set_owners(&self, owners: &[(ItemId, String)]) -> Result<()> {
        if owners.is_empty() {
            return Ok(());
        }
        self.write(|tx, _| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO doc_owners (doc_id, owner) VALUES (?1, ?2)
                 ON CONFLICT (doc_id) DO UPDATE SET owner = excluded.owner",
            )?;
            for (doc_id, owner) in owners {
                stmt.execute([doc_id.as_str(), owner.as_str()])?;
            }
            Ok(())
        })
    }

    /// Whose an item is: the other account that owns `doc_id` (a
    /// therapist's note on the client's device, a client's entry on the
    /// therapist's), or `None` for this account's own. Such items are
    /// read-only here: edits, [`Store::delete`] and [`Store::set_shared`]
    /// answer [`crate::Error::ReadOnly`]. Never fails on a bad id: an id this
    /// device holds nothing for answers `None` too (ask [`Store::summary`]
    /// whether it exists); an item deleted keeps its owner until its copy is
    /// removed.
    pub fn owner_of(&self, doc_id: &ItemId) -> Result<Option<AccountId>> {
        self.read(|tx, _| {
            Ok(tx
                .query_row(
                    "SELECT owner FROM doc_owners WHERE doc_id = ?1",
                    [doc_id.as_str()],
                    |r| r.get::<_, String>(0),
                )
                .optional()?
                .map(AccountId))
        })
    }

    /// Ids of every document owned by `owner`.
    pub fn documents_owned_by(&self, owner: &str) -> Result<Vec<ItemId>> {
        self.read(|tx, _| {
            let mut stmt = tx
                .prepare_cached("SELECT doc_id FROM doc_owners WHERE owner = ?1 ORDER BY doc_id")?;
            let ids = stmt
                .query_map([owner], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(ids.into_iter().map(ItemId::new).collect())
        })
    }
}
