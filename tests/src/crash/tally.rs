//! Counting the trial entries a record holds, read from the documents
//! themselves, and what was lost or duplicated against what was expected.

use std::collections::{BTreeMap, BTreeSet};

use rapport_core::journal::Reflection;
use rapport_core::{DocKind, Store};

use super::marker_in;

/// How many entries of `store` carry each marker. The index names the
/// items; the text is read from each item's document.
pub fn count_markers(store: &Store) -> rapport_core::Result<BTreeMap<String, usize>> {
    let mut counts = BTreeMap::new();
    for (summary, _) in store.index_dump()? {
        if summary.kind != DocKind::Reflection {
            continue;
        }
        let entry = store.get::<Reflection>(&summary.id)?;
        if let Some(marker) = marker_in(&entry.record.text) {
            *counts.entry(marker.to_owned()).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

/// Markers expected but not found, and markers found more than once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub lost: BTreeSet<String>,
    pub duplicated: BTreeSet<String>,
}

impl Tally {
    pub fn of(expected: &BTreeSet<String>, found: &BTreeMap<String, usize>) -> Tally {
        Tally {
            lost: expected
                .iter()
                .filter(|m| !found.contains_key(*m))
                .cloned()
                .collect(),
            duplicated: found
                .iter()
                .filter(|(_, n)| **n > 1)
                .map(|(m, _)| m.clone())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crash::{entry_text, marker};

    fn set(markers: &[&str]) -> BTreeSet<String> {
        markers.iter().map(|m| (*m).to_owned()).collect()
    }

    #[test]
    fn an_acknowledged_write_missing_is_lost_and_one_found_twice_is_duplicated() {
        let expected = set(&["a", "b", "c"]);
        let found: BTreeMap<String, usize> = [("a", 1), ("b", 2), ("x", 1)]
            .map(|(m, n)| (m.to_owned(), n))
            .into();
        let tally = Tally::of(&expected, &found);
        assert_eq!(tally.lost, set(&["c"]));
        assert_eq!(tally.duplicated, set(&["b"]));
        // A write that committed but was killed before its acknowledgement
        // ("x") is neither.
        assert_eq!(Tally::of(&set(&["x"]), &found).lost, set(&[]));
    }

    #[test]
    fn entries_are_counted_from_their_documents_and_other_entries_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("record.sqlite3")).unwrap();
        let write = |text: String| {
            store
                .create(Reflection {
                    written_at: chrono::Utc::now(),
                    text,
                    person_id: None,
                    goal: None,
                })
                .unwrap()
        };
        let (one, two) = (marker(1, 0), marker(1, 1));
        write(entry_text(&one));
        write(entry_text(&two));
        let again = write(entry_text(&two));
        write("A reflection of my own".to_owned());
        let gone = write(entry_text(&marker(1, 2)));
        store.delete(&gone.id).unwrap();

        let counts = count_markers(&store).unwrap();
        let expected: BTreeMap<String, usize> = [(one.clone(), 1), (two.clone(), 2)].into();
        assert_eq!(counts, expected);
        store.delete(&again.id).unwrap();
        let expected: BTreeMap<String, usize> = [(one, 1), (two, 1)].into();
        assert_eq!(count_markers(&store).unwrap(), expected);
    }
}
