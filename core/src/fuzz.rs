//! Bodies of the core's fuzz targets (`fuzz/`, see its README): applying
//! change bytes from elsewhere to a store, as the sync engine does with a
//! pulled page, and importing an export file. Plain functions, so that a
//! stable test replays the committed corpus and every crash found through
//! exactly what the fuzzer ran. Not part of the API.

use crate::clinical::ImportError;
use crate::store::IncomingChange;
use crate::{DocKind, Error, ItemId, Store};

/// The document the fuzzed change bytes are applied to.
pub const DOC_ID: &str = "fuzz-doc";

/// Mode bit: store [`base_document`] under [`DOC_ID`] first, so that the
/// bytes are changes to a document this device holds (else a new one).
pub const ON_BASE: u8 = 0x10;
/// Mode bit: apply the bytes as a pulled page of two pieces (split in the
/// middle) through [`Store::apply_batch`], else one [`Store::apply_changes`].
pub const AS_PAGE: u8 = 0x20;

/// A fixed interaction document: the seeds of `apply_changes` (and so most
/// of its committed corpus) are changes made on top of it. Its bytes are
/// kept as written before text fields became Automerge Text (its strings
/// are scalars, the old format), so that those changes still find the
/// document they depend on.
pub fn base_document() -> Vec<u8> {
    include_bytes!("fuzz/base_document.automerge").to_vec()
}

/// A fresh record in memory: what every input starts from.
fn fresh_store() -> Store {
    Store::open(":memory:").expect("an in-memory store opens")
}

/// `data` is a mode byte, then Automerge bytes. The low nibble of the mode
/// picks the kind the bytes are said to be (when not [`ON_BASE`]: then they
/// are an interaction). Panics if bad bytes fail otherwise than as
/// malformed, if a refused piece changed its document, or if what was
/// accepted cannot be read back (the index rebuilt from the stored
/// documents must equal the index kept while applying, and the record must
/// export).
pub fn apply_changes(data: &[u8]) {
    let Some((&mode, bytes)) = data.split_first() else {
        return;
    };
    let store = fresh_store();
    let id = ItemId::new(DOC_ID);
    let kind = if mode & ON_BASE != 0 {
        store
            .apply_changes(&id, DocKind::Interaction, &base_document())
            .expect("the base document applies");
        DocKind::Interaction
    } else {
        DocKind::ALL[usize::from(mode & 0x0f) % DocKind::ALL.len()]
    };
    let before = store.export_document(&id).ok();
    if mode & AS_PAGE != 0 {
        let (first, second) = bytes.split_at(bytes.len() / 2);
        let page: Vec<IncomingChange> = [first, second]
            .into_iter()
            .map(|piece| IncomingChange {
                doc_id: id.clone(),
                kind,
                data: piece.to_vec(),
            })
            .collect();
        match store.apply_batch(&page) {
            Ok(applied) => assert!(applied.changed.len() + applied.rejected.len() <= 2),
            Err(err) => panic!("a pulled page failed instead of refusing a piece: {err}"),
        }
    } else {
        match store.apply_changes(&id, kind, bytes) {
            Ok(_) => {}
            Err(Error::MalformedChanges { .. } | Error::MalformedDocument { .. }) => {
                let after = store.export_document(&id).ok();
                assert_eq!(before, after, "a refused piece changed its document");
            }
            Err(err) => panic!("bad change bytes failed instead of being refused: {err}"),
        }
    }
    check_readable(&store);
}

/// `data` is an export file. Panics if a bad file fails otherwise than as
/// refused, if a refused import left anything behind, or if an accepted one
/// cannot be read back, exported and imported again to the same record.
pub fn import_export(data: &[u8]) {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let store = fresh_store();
    match store.import_json(json) {
        Ok(report) => {
            assert!(report.changed <= report.documents);
            check_readable(&store);
            let exported = store.export_json().expect("an imported record exports");
            let again = fresh_store();
            again
                .import_json(&exported)
                .expect("the export of an imported file imports");
            assert_eq!(
                again.index_dump().expect("index"),
                store.index_dump().expect("index"),
                "an export imported again shows another record"
            );
        }
        Err(ImportError::Store(err)) => panic!("a bad export failed the store: {err}"),
        Err(_) => {
            let left = store.document_ids().expect("document ids");
            assert!(left.is_empty(), "a refused import left {left:?}");
        }
    }
}

/// Everything stored loads again: the index derived afresh from the stored
/// documents equals the one kept while writing, and the record exports.
fn check_readable(store: &Store) {
    let kept = store.index_dump().expect("the index reads");
    store
        .rebuild_index()
        .expect("the stored documents load and index");
    let rebuilt = store.index_dump().expect("the index reads");
    assert_eq!(
        kept, rebuilt,
        "the index kept differs from the stored documents"
    );
    store.export_json().expect("what was accepted exports");
}
