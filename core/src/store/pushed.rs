//! The sync engine's record of which acknowledged bundles of each document
//! this device pushed since its last snapshot upload, so that it can upload
//! a snapshot covering them once there are enough. Crate-private: only the
//! sync engine reads and writes it.

use super::Store;
use crate::error::Result;
use crate::id::ItemId;

impl Store {
    /// Notes bundles the server acknowledged.
    pub(crate) fn record_pushed(&self, bundles: &[(ItemId, String)]) -> Result<()> {
        if bundles.is_empty() {
            return Ok(());
        }
        self.write(|tx, _| {
            let mut stmt = tx.prepare_cached(
                "INSERT OR IGNORE INTO pushed_bundles (doc_id, bundle_id) VALUES (?1, ?2)",
            )?;
            for (doc, bundle) in bundles {
                stmt.execute([doc.as_str(), bundle.as_str()])?;
            }
            Ok(())
        })
    }

    /// Documents with at least `threshold` pushed bundles, with their ids.
    pub(crate) fn pushed_at_least(&self, threshold: usize) -> Result<Vec<(ItemId, Vec<String>)>> {
        self.read(|tx, _| {
            let mut stmt = tx.prepare_cached(
                "SELECT doc_id FROM pushed_bundles GROUP BY doc_id HAVING count(*) >= ?1",
            )?;
            let docs = stmt
                .query_map([threshold as i64], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut bundles =
                tx.prepare_cached("SELECT bundle_id FROM pushed_bundles WHERE doc_id = ?1")?;
            let mut out = Vec::new();
            for doc in docs {
                let ids = bundles
                    .query_map([&doc], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                out.push((ItemId::new(doc), ids));
            }
            Ok(out)
        })
    }

    /// Forgets the listed bundles of a document (a snapshot now covers them).
    pub(crate) fn forget_pushed(&self, doc: &ItemId, bundles: &[String]) -> Result<()> {
        self.write(|tx, _| {
            let mut stmt = tx.prepare_cached(
                "DELETE FROM pushed_bundles WHERE doc_id = ?1 AND bundle_id = ?2",
            )?;
            for bundle in bundles {
                stmt.execute([doc.as_str(), bundle.as_str()])?;
            }
            Ok(())
        })
    }
}
