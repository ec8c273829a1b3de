//! A document read the way a record is hydrated: each map once.
//!
//! autosurgeon hydrates a struct field by field, and each field is a
//! lookup of its key in Automerge's op set (a seek into the columns of
//! the map's object), often two: our `string` readers ask what is there
//! before hydrating it. Reading a map's keys in one pass over the object
//! (`map_range`) and answering those lookups from that is several times
//! cheaper; a bootstrap reads the record of every document it applies.
//!
//! [`OnePass`] answers `get` of a key from one such pass per map, and
//! hands everything else (lists, Text, heads) to the document as is. What
//! it answers is what the document would: the winning value of each key,
//! a conflict resolved the same way (`map_range` yields the same winner
//! `get` does; a unit test compares both over conflicting writes).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::RangeBounds;
use std::rc::Rc;

use automerge::{self as am, AutoCommit, AutomergeError, ObjId, ObjType, Value};
use autosurgeon::ReadDoc;

/// The winning value of each key of one map, and its object id.
type Keys = HashMap<String, (Value<'static>, ObjId)>;

/// `doc` for one read of a record: read-only, single-threaded, dropped
/// after it (a write to `doc` is impossible while it borrows it).
pub(super) struct OnePass<'a> {
    doc: &'a AutoCommit,
    /// The maps read so far; `None` for an object that is not a map.
    maps: RefCell<HashMap<ObjId, Option<Rc<Keys>>>>,
}

impl<'a> OnePass<'a> {
    pub(super) fn new(doc: &'a AutoCommit) -> Self {
        OnePass {
            doc,
            maps: RefCell::new(HashMap::new()),
        }
    }

    /// The keys of `obj` if it is a map (read on first use), else `None`.
    fn keys(&self, obj: &ObjId) -> Option<Rc<Keys>> {
        if let Some(known) = self.maps.borrow().get(obj) {
            return known.clone();
        }
        let keys = match am::ReadDoc::object_type(self.doc, obj) {
            Ok(ObjType::Map | ObjType::Table) => Some(Rc::new(
                am::ReadDoc::map_range(self.doc, obj, ..)
                    .map(|item| {
                        let id = item.id();
                        (item.key.into_owned(), (item.value.into_value(), id))
                    })
                    .collect(),
            )),
            _ => None,
        };
        self.maps.borrow_mut().insert(obj.clone(), keys.clone());
        keys
    }
}

impl ReadDoc for OnePass<'_> {
    type Parents<'b>
        = am::Parents<'b>
    where
        Self: 'b;

    fn get_heads(&self) -> Vec<am::ChangeHash> {
        ReadDoc::get_heads(self.doc)
    }

    fn get<P: Into<am::Prop>>(
        &self,
        obj: &ObjId,
        prop: P,
    ) -> Result<Option<(Value<'_>, ObjId)>, AutomergeError> {
        match prop.into() {
            am::Prop::Map(key) => match self.keys(obj) {
                Some(keys) => Ok(keys.get(&key).cloned()),
                // Not a map: the document says what that means.
                None => ReadDoc::get(self.doc, obj, key),
            },
            index => ReadDoc::get(self.doc, obj, index),
        }
    }

    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<ObjType> {
        ReadDoc::object_type(self.doc, obj)
    }

    fn map_range<'b, O, R>(&'b self, obj: O, range: R) -> am::iter::MapRange<'b>
    where
        R: RangeBounds<String> + 'b,
        O: AsRef<ObjId>,
    {
        ReadDoc::map_range(self.doc, obj, range)
    }

    fn list_range<O: AsRef<ObjId>, R: RangeBounds<usize>>(
        &self,
        obj: O,
        range: R,
    ) -> am::iter::ListRange<'_> {
        ReadDoc::list_range(self.doc, obj, range)
    }

    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        ReadDoc::length(self.doc, obj)
    }

    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, AutomergeError> {
        ReadDoc::text(self.doc, obj)
    }

    fn parents<O: AsRef<ObjId>>(&self, obj: O) -> Result<Self::Parents<'_>, AutomergeError> {
        ReadDoc::parents(self.doc, obj)
    }

    fn is_empty(&self) -> bool {
        ReadDoc::is_empty(self.doc)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ROOT, ScalarValue};

    use super::*;

    /// Every key of every map `get` as the document answers it.
    fn assert_same_gets(doc: &AutoCommit, maps: &[&ObjId], keys: &[&str]) {
        let once = OnePass::new(doc);
        for obj in maps {
            for key in keys {
                let direct = ReadDoc::get(doc, obj, *key).unwrap();
                let through = once.get(obj, *key).unwrap();
                assert_eq!(direct, through, "key {key} of {obj:?}");
            }
        }
    }

    #[test]
    fn answers_every_key_as_the_document_does_conflicts_and_nesting_included() {
        let mut a = AutoCommit::new();
        a.put(ROOT, "kind", "win").unwrap();
        let record = a.put_object(ROOT, "record", ObjType::Map).unwrap();
        a.put(&record, "title", "first").unwrap();
        a.put(&record, "count", 3_i64).unwrap();
        let text = a.put_object(&record, "details", ObjType::Text).unwrap();
        a.splice_text(&text, 0, 0, "words").unwrap();
        let list = a.put_object(&record, "tags", ObjType::List).unwrap();
        a.insert(&list, 0, "x").unwrap();
        let inner = a.put_object(&record, "nested", ObjType::Map).unwrap();
        a.put(&inner, "deep", true).unwrap();
        a.put(&record, "gone", "soon").unwrap();
        a.delete(&record, "gone").unwrap();

        // A concurrent write of the same keys on another replica: a
        // conflict, one winner.
        let mut b = a
            .fork()
            .with_actor(am::ActorId::from(b"another actor".as_slice()));
        b.put(&record, "title", "second").unwrap();
        b.put(&record, "count", ScalarValue::Null).unwrap();
        a.put(&record, "title", "third").unwrap();
        a.put(&record, "count", 4_u64).unwrap();
        a.merge(&mut b).unwrap();
        assert_eq!(am::ReadDoc::get_all(&a, &record, "title").unwrap().len(), 2);

        let keys = [
            "kind", "record", "title", "count", "details", "tags", "nested", "deep", "gone",
            "missing",
        ];
        assert_same_gets(&a, &[&ROOT, &record, &inner], &keys);

        // Not maps: a list's index and a Text's read go to the document.
        let once = OnePass::new(&a);
        assert_eq!(
            once.get(&list, 0_usize).unwrap(),
            ReadDoc::get(&a, &list, 0_usize).unwrap()
        );
        assert_eq!(
            once.get(&list, "key").is_ok(),
            ReadDoc::get(&a, &list, "key").is_ok()
        );
        assert_eq!(once.text(&text).unwrap(), "words");
    }
}
