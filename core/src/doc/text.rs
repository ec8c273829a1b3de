//! `#[autosurgeon(with = "crate::doc::text")]`: a `String` of prose kept as
//! an Automerge Text object, so that concurrent edits merge (see the module
//! docs of `doc` for which fields).
//!
//! A save gives the whole new value, not the keystrokes, so the change is
//! the difference from the text before. Automerge's own diff (Myers) is
//! quadratic in the size of the region that differs: a pasted-over page
//! took seconds. [`Writer`] bounds it: the text common to both ends is
//! never touched, a middle that differs on at most [`FINE_DIFF_CHARS`]
//! characters is diffed character by character, and a larger one is
//! replaced in one splice.

use std::ops::RangeBounds;

use automerge::{self as am, AutoCommit, AutomergeError, ObjId, TextEncoding};
use autosurgeon::reconcile::TextReconciler;
use autosurgeon::{Doc, HydrateError, Prop, ReadDoc, Reconciler};

/// Reads Text, or a scalar string (older records, other implementations).
pub fn hydrate<D: ReadDoc>(doc: &D, obj: &ObjId, prop: Prop<'_>) -> Result<String, HydrateError> {
    super::string(doc, obj, prop)
}

/// Writes the difference from the Text already there: nothing when the value
/// is unchanged, so an unchanged save makes no change. A scalar string
/// there, or nothing, is replaced by a new Text object holding the value in
/// one splice.
pub fn reconcile<R: Reconciler>(value: &str, mut r: R) -> Result<(), R::Error> {
    r.text()?.update(value)
}

/// Above this many differing characters (old and new middle together), the
/// middle is replaced in one splice instead of diffed: the diff of 512
/// takes about 10 ms, of 4,000 nearly a second.
pub const FINE_DIFF_CHARS: usize = 512;

/// The document as records are written into it: every operation goes
/// through as is, except Text updates, which are diffed as the module docs
/// say.
pub struct Writer<'a>(pub &'a mut AutoCommit);

impl Writer<'_> {
    fn bounded_update(&mut self, obj: &ObjId, new: &str) -> Result<(), AutomergeError> {
        let old = am::ReadDoc::text(self.0, obj)?;
        if old == new {
            return Ok(());
        }
        let prefix: usize = old
            .chars()
            .zip(new.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a.len_utf8())
            .sum();
        let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
        let suffix: usize = old_rest
            .chars()
            .rev()
            .zip(new_rest.chars().rev())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a.len_utf8())
            .sum();
        let old_mid = &old_rest[..old_rest.len() - suffix];
        let new_mid = &new_rest[..new_rest.len() - suffix];
        let pure = old_mid.is_empty() || new_mid.is_empty();
        let small = old_mid.chars().count() + new_mid.chars().count() <= FINE_DIFF_CHARS;
        let width = |s: &str| match am::ReadDoc::text_encoding(self.0) {
            TextEncoding::UnicodeCodePoint => Some(s.chars().count()),
            TextEncoding::Utf8CodeUnit => Some(s.len()),
            TextEncoding::Utf16CodeUnit => Some(s.encode_utf16().count()),
            TextEncoding::GraphemeCluster => None,
        };
        match (width(&old[..prefix]), width(old_mid)) {
            (Some(pos), Some(del)) if pure || !small => {
                am::transaction::Transactable::splice_text(self.0, obj, pos, del as isize, new_mid)
            }
            _ => am::transaction::Transactable::update_text(self.0, obj, new),
        }
    }
}

impl ReadDoc for Writer<'_> {
    type Parents<'b>
        = am::Parents<'b>
    where
        Self: 'b;

    fn get_heads(&self) -> Vec<am::ChangeHash> {
        ReadDoc::get_heads(&*self.0)
    }

    fn get<P: Into<am::Prop>>(
        &self,
        obj: &ObjId,
        prop: P,
    ) -> Result<Option<(am::Value<'_>, ObjId)>, AutomergeError> {
        ReadDoc::get(&*self.0, obj, prop)
    }

    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<am::ObjType> {
        ReadDoc::object_type(&*self.0, obj)
    }

    fn map_range<'b, O, R>(&'b self, obj: O, range: R) -> am::iter::MapRange<'b>
    where
        R: RangeBounds<String> + 'b,
        O: AsRef<ObjId>,
        R: RangeBounds<String>,
    {
        ReadDoc::map_range(&*self.0, obj, range)
    }

    fn list_range<O: AsRef<ObjId>, R: RangeBounds<usize>>(
        &self,
        obj: O,
        range: R,
    ) -> am::iter::ListRange<'_> {
        ReadDoc::list_range(&*self.0, obj, range)
    }

    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        ReadDoc::length(&*self.0, obj)
    }

    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, AutomergeError> {
        ReadDoc::text(&*self.0, obj)
    }

    fn parents<O: AsRef<ObjId>>(&self, obj: O) -> Result<Self::Parents<'_>, AutomergeError> {
        ReadDoc::parents(&*self.0, obj)
    }

    fn is_empty(&self) -> bool {
        ReadDoc::is_empty(&*self.0)
    }
}

impl Doc for Writer<'_> {
    fn put<O: AsRef<ObjId>, P: Into<am::Prop>, V: Into<am::ScalarValue>>(
        &mut self,
        obj: O,
        prop: P,
        value: V,
    ) -> Result<(), AutomergeError> {
        Doc::put(self.0, obj, prop, value)
    }

    fn put_object<O: AsRef<ObjId>, P: Into<am::Prop>>(
        &mut self,
        obj: O,
        prop: P,
        value: am::ObjType,
    ) -> Result<ObjId, AutomergeError> {
        Doc::put_object(self.0, obj, prop, value)
    }

    fn insert<O: AsRef<ObjId>, V: Into<am::ScalarValue>>(
        &mut self,
        obj: O,
        index: usize,
        value: V,
    ) -> Result<(), AutomergeError> {
        Doc::insert(self.0, obj, index, value)
    }

    fn insert_object<O: AsRef<ObjId>>(
        &mut self,
        obj: O,
        index: usize,
        value: am::ObjType,
    ) -> Result<ObjId, AutomergeError> {
        Doc::insert_object(self.0, obj, index, value)
    }

    fn increment<O: AsRef<ObjId>, P: Into<am::Prop>>(
        &mut self,
        obj: O,
        prop: P,
        value: i64,
    ) -> Result<(), AutomergeError> {
        Doc::increment(self.0, obj, prop, value)
    }

    fn delete<O: AsRef<ObjId>, P: Into<am::Prop>>(
        &mut self,
        obj: O,
        prop: P,
    ) -> Result<(), AutomergeError> {
        Doc::delete(self.0, obj, prop)
    }

    fn splice_text<O: AsRef<ObjId>>(
        &mut self,
        obj: O,
        pos: usize,
        del: isize,
        text: &str,
    ) -> Result<(), AutomergeError> {
        Doc::splice_text(self.0, obj, pos, del, text)
    }

    fn update_text<O: AsRef<ObjId>>(&mut self, obj: O, text: &str) -> Result<(), AutomergeError> {
        self.bounded_update(obj.as_ref(), text)
    }

    fn batch_create<O: AsRef<ObjId>, P: Into<am::Prop>>(
        &mut self,
        obj: O,
        prop: P,
        value: am::hydrate::Value,
        insert: bool,
    ) -> Result<(), AutomergeError> {
        Doc::batch_create(self.0, obj, prop, value, insert)
    }

    fn init_root_from_hydrate(&mut self, value: &am::hydrate::Map) -> Result<(), AutomergeError> {
        Doc::init_root_from_hydrate(self.0, value)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
    use autosurgeon::Doc;

    use super::Writer;

    /// Updates a Text holding `old` to `new`; returns what it holds after
    /// and how many operations that took.
    fn update(old: &str, new: &str) -> (String, usize) {
        let mut doc = AutoCommit::new();
        let text = Doc::put_object(&mut doc, ROOT, "t", ObjType::Text).unwrap();
        Doc::splice_text(&mut doc, &text, 0, 0, old).unwrap();
        doc.commit();
        Writer(&mut doc).update_text(&text, new).unwrap();
        let ops = automerge::transaction::Transactable::pending_ops(&doc);
        (doc.text(&text).unwrap(), ops)
    }

    #[test]
    fn an_update_ends_with_the_new_text_and_touches_only_what_differs() {
        for (old, new) in [
            ("", ""),
            ("", "new"),
            ("gone", ""),
            ("same", "same"),
            ("I said no.", "Today I said no."),
            ("I said no.", "I said no, kindly."),
            ("naïve café", "naïve cafés and crêpes"),
            ("aaaa", "aa"),
            ("abc", "abcabc"),
            ("🙂 ok 🙂", "🙂 fine 🙂"),
        ] {
            let (got, _) = update(old, new);
            assert_eq!(got, new, "{old:?} -> {new:?}");
        }
        assert_eq!(update("same", "same").1, 0);
        // An insertion is only the inserted characters (one op each).
        assert_eq!(update("I said no.", "Today I said no.").1, 6);
    }

    #[test]
    fn a_large_rewrite_is_one_splice_and_quick() {
        let old: String = (0..20_000)
            .map(|i| (b'a' + (i % 13) as u8) as char)
            .collect();
        let new: String = (0..20_000)
            .map(|i| (b'n' + (i % 11) as u8) as char)
            .collect();
        let started = std::time::Instant::now();
        let (got, _) = update(&old, &new);
        assert_eq!(got, new);
        // Automerge's own diff took over a minute for this.
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        // Two edits far apart: the middle between them is rewritten whole.
        let old = format!("start {} end", "x".repeat(2_000));
        let new = format!("Start {} end.", "x".repeat(2_000));
        assert_eq!(update(&old, &new).0, new);
    }
}
