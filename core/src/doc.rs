//! How an item lives in its Automerge document: an envelope of metadata
//! (kind, sharing, tombstone, times) around the typed record, plus the
//! autosurgeon mappings for strings, times and dates.
//!
//! Root keys: `kind`, `shared`, `deleted`, `created_at`, `updated_at`, `record`.
//!
//! # Which strings are Text
//!
//! Prose a person writes and may revise on another device before the two
//! sync (a reflection, what I wanted, what they said, a win's details, a
//! goal's description, a barrier, what a relationship gives, a formulation,
//! a rehearsal's script, a note's body, a mood's event) is an Automerge Text
//! object: `#[autosurgeon(with = "crate::doc::text")]`. Concurrent edits of
//! it merge; a write changes only the characters that changed.
//!
//! Everything else stays a scalar string: ids, enum values, dates, zone
//! names, and the one-line names, titles and list entries a person picks or
//! retypes whole (a nickname, a relationship, a goal's, milestone's or win's
//! title, a rehearsal's scenario, a feeling, an option, a skill, a warning
//! sign). Merging two concurrent retypings of a title character by character
//! would splice two titles into one; one of them winning is better there.
//!
//! Every string reads either form (`hydrate = "crate::doc::string"`,
//! `opt_string`, `strings`, and [`ItemId`] itself): another Automerge
//! implementation may write any string as Text (the JavaScript one does by
//! default), and such a document must not be refused as damaged.
//!
//! A record written before text fields were Text has scalars there; the
//! next save that changes the record turns each of its Text fields into a
//! Text object (autosurgeon gives a field's writer no view of what is there,
//! so it cannot keep an unchanged scalar). Until then a concurrent edit of
//! such a field on two devices keeps one of them, as before; and an edit of
//! it concurrent with another device's first save of the record may lose
//! to that save's copy of the old text. Both last one sync round per old
//! record. See docs/adr/0011-text-fields.md.

use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, Value};
use autosurgeon::{Hydrate, HydrateError, Prop, hydrate_prop, reconcile_prop};
use chrono::{DateTime, Utc};
use rapport_protocol::DocKind;

use crate::error::{Error, Result};
use crate::id::ItemId;
use crate::record::{ItemMeta, Record};

mod one_pass;
pub mod text;

use one_pass::OnePass;

/// The metadata of an item, read from the envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub kind: DocKind,
    pub shared: bool,
    pub deleted: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Envelope {
    /// What the API shows of it, for the item `id`.
    pub fn meta(&self, id: &ItemId) -> ItemMeta {
        ItemMeta {
            id: id.clone(),
            shared: self.shared,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

fn malformed(id: &ItemId, kind: &'static str, reason: impl ToString) -> Error {
    Error::MalformedDocument {
        doc_id: id.to_string(),
        kind,
        reason: reason.to_string(),
    }
}

/// Reads the envelope; `None` for a document that has no kind yet (only
/// changes whose dependencies have not arrived).
pub fn read_envelope(doc: &AutoCommit, id: &ItemId) -> Result<Option<Envelope>> {
    if let Some(env) = envelope_in_one_pass(doc) {
        return Ok(Some(env));
    }
    read_envelope_by_key(doc, id)
}

/// The envelope as this app writes it (a known kind as a string, flags as
/// booleans, times as integers), read in one pass over the root map instead
/// of a lookup per key: it is read for every document a bootstrap applies.
/// `None` for anything else (no kind yet, other types, an unknown kind):
/// [`read_envelope_by_key`] then reads it, or says why it is malformed.
fn envelope_in_one_pass(doc: &AutoCommit) -> Option<Envelope> {
    use automerge::{ScalarValueRef, ValueRef};
    let (mut kind, mut shared, mut deleted) = (None, false, false);
    let (mut created_at, mut updated_at) = (DateTime::UNIX_EPOCH, DateTime::UNIX_EPOCH);
    for item in doc.map_range(ROOT, ..) {
        let ValueRef::Scalar(value) = &item.value else {
            if ["kind", "shared", "deleted", "created_at", "updated_at"].contains(&&*item.key) {
                return None;
            }
            continue;
        };
        let time = || match value {
            ScalarValueRef::Int(ms) => {
                Some(DateTime::from_timestamp_millis(*ms).unwrap_or(DateTime::UNIX_EPOCH))
            }
            _ => None,
        };
        let flag = || match value {
            ScalarValueRef::Boolean(b) => Some(*b),
            _ => None,
        };
        match &*item.key {
            "kind" => match value {
                ScalarValueRef::Str(k) => kind = Some(DocKind::parse(k)?),
                _ => return None,
            },
            "shared" => shared = flag()?,
            "deleted" => deleted = flag()?,
            "created_at" => created_at = time()?,
            "updated_at" => updated_at = time()?,
            _ => {}
        }
    }
    Some(Envelope {
        kind: kind?,
        shared,
        deleted,
        created_at,
        updated_at,
    })
}

/// [`read_envelope`], key by key, for every shape a document may have.
fn read_envelope_by_key(doc: &AutoCommit, id: &ItemId) -> Result<Option<Envelope>> {
    // autosurgeon's `Option<T>` reads an absent key as an error ("nothing at
    // all"), not as `None`; look first, so that a document still waiting for
    // its first change reads as "no kind yet" instead of as malformed.
    let has = |key: &str| -> Result<bool> { Ok(doc.get(ROOT, key).map_err(storage)?.is_some()) };
    let kind: Option<String> = if has("kind")? {
        opt_string(doc, &ROOT, "kind".into()).map_err(|e| malformed(id, "item", e))?
    } else {
        None
    };
    let Some(kind) = kind else {
        return Ok(None);
    };
    let kind = DocKind::parse(&kind).ok_or_else(|| malformed(id, "item", "unknown kind"))?;
    let flag = |key: &str| -> Result<bool> {
        if !has(key)? {
            return Ok(false);
        }
        let v: Option<bool> = hydrate_prop(doc, ROOT, key).map_err(|e| malformed(id, "item", e))?;
        Ok(v.unwrap_or(false))
    };
    let time = |key: &str| -> Result<DateTime<Utc>> {
        if !has(key)? {
            return Ok(DateTime::UNIX_EPOCH);
        }
        let v: Option<i64> = hydrate_prop(doc, ROOT, key).map_err(|e| malformed(id, "item", e))?;
        Ok(v.and_then(DateTime::from_timestamp_millis)
            .unwrap_or(DateTime::UNIX_EPOCH))
    };
    Ok(Some(Envelope {
        kind,
        shared: flag("shared")?,
        deleted: flag("deleted")?,
        created_at: time("created_at")?,
        updated_at: time("updated_at")?,
    }))
}

/// Reads the typed record of a live document of kind `R::KIND`.
pub fn read_record<R: Record>(doc: &AutoCommit, id: &ItemId) -> Result<R> {
    hydrate_prop(&OnePass::new(doc), ROOT, "record").map_err(|e| malformed(id, R::KIND.as_str(), e))
}

/// Writes a new document's envelope and record.
pub fn init<R: Record>(doc: &mut AutoCommit, record: &R, now: DateTime<Utc>) -> Result<()> {
    let ms = now.timestamp_millis();
    put(doc, "kind", R::KIND.as_str())?;
    put(doc, "shared", false)?;
    put(doc, "deleted", false)?;
    put(doc, "created_at", ms)?;
    put(doc, "updated_at", ms)?;
    write_record(doc, record, now)
}

/// Reconciles the record into the document: only the fields that changed are
/// written, so concurrent edits of different fields both survive a merge.
pub fn write_record<R: Record>(doc: &mut AutoCommit, record: &R, now: DateTime<Utc>) -> Result<()> {
    write_part(doc, &ROOT, "record", record)?;
    touch(doc, now)
}

/// Reconciles `value` into `obj[key]`, Text fields as [`text`] says.
pub(crate) fn write_part<V: autosurgeon::Reconcile>(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    value: V,
) -> Result<()> {
    reconcile_prop(&mut text::Writer(doc), obj, key, value)
        .map_err(|e| Error::Storage(e.to_string()))
}

pub fn set_shared(doc: &mut AutoCommit, shared: bool, now: DateTime<Utc>) -> Result<()> {
    put(doc, "shared", shared)?;
    touch(doc, now)
}

/// Deletion keeps a tombstone so that it travels to every replica; the
/// record's content is removed from the current state.
pub fn mark_deleted(doc: &mut AutoCommit, now: DateTime<Utc>) -> Result<()> {
    use automerge::transaction::Transactable;
    put(doc, "deleted", true)?;
    if doc.get(ROOT, "record").map_err(storage)?.is_some() {
        doc.delete(ROOT, "record").map_err(storage)?;
    }
    touch(doc, now)
}

fn touch(doc: &mut AutoCommit, now: DateTime<Utc>) -> Result<()> {
    put(doc, "updated_at", now.timestamp_millis())
}

fn put<V: autosurgeon::Reconcile>(doc: &mut AutoCommit, key: &str, value: V) -> Result<()> {
    reconcile_prop(doc, ROOT, key, value).map_err(|e| Error::Storage(e.to_string()))
}

fn storage(e: automerge::AutomergeError) -> Error {
    Error::Storage(e.to_string())
}

/// `#[autosurgeon(hydrate = "crate::doc::string")]`: a value stored as a
/// string (a `String`, a unit enum variant), read from a scalar string or
/// from a Text object.
pub fn string<D: autosurgeon::ReadDoc, T: Hydrate>(
    doc: &D,
    obj: &ObjId,
    prop: Prop<'_>,
) -> Result<T, HydrateError> {
    match doc.get(obj, &prop)? {
        Some((Value::Object(ObjType::Text), text)) => T::hydrate_string(&doc.text(&text)?),
        _ => T::hydrate(doc, obj, prop),
    }
}

/// `#[autosurgeon(hydrate = "crate::doc::opt_string")]`: [`string`] for an
/// `Option` (null or absent is `None`).
pub fn opt_string<D: autosurgeon::ReadDoc, T: Hydrate>(
    doc: &D,
    obj: &ObjId,
    prop: Prop<'_>,
) -> Result<Option<T>, HydrateError> {
    match doc.get(obj, &prop)? {
        Some((Value::Object(ObjType::Text), text)) => {
            T::hydrate_string(&doc.text(&text)?).map(Some)
        }
        _ => Option::<T>::hydrate(doc, obj, prop),
    }
}

/// `#[autosurgeon(hydrate = "crate::doc::strings")]`: [`string`] for each
/// entry of a list.
pub fn strings<D: autosurgeon::ReadDoc, T: Hydrate>(
    doc: &D,
    obj: &ObjId,
    prop: Prop<'_>,
) -> Result<Vec<T>, HydrateError> {
    match doc.get(obj, &prop)? {
        Some((Value::Object(ObjType::List), list)) => (0..doc.length(&list))
            .map(|i| string(doc, &list, Prop::Index(i as u32)))
            .collect(),
        _ => Vec::<T>::hydrate(doc, obj, prop),
    }
}

/// `#[autosurgeon(with = "crate::doc::timestamp")]`: a UTC time as
/// milliseconds since the epoch.
pub mod timestamp {
    use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconciler};
    use chrono::{DateTime, Utc};

    pub fn hydrate<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<DateTime<Utc>, HydrateError> {
        let ms = i64::hydrate(doc, obj, prop)?;
        DateTime::from_timestamp_millis(ms)
            .ok_or_else(|| HydrateError::unexpected("a time", format!("{ms} ms")))
    }

    pub fn reconcile<R: Reconciler>(value: &DateTime<Utc>, mut r: R) -> Result<(), R::Error> {
        r.i64(value.timestamp_millis())
    }
}

/// `#[autosurgeon(with = "crate::doc::opt_timestamp")]`
pub mod opt_timestamp {
    use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconcile, Reconciler};
    use chrono::{DateTime, Utc};

    pub fn hydrate<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<Option<DateTime<Utc>>, HydrateError> {
        match Option::<i64>::hydrate(doc, obj, prop)? {
            None => Ok(None),
            Some(ms) => DateTime::from_timestamp_millis(ms)
                .map(Some)
                .ok_or_else(|| HydrateError::unexpected("a time", format!("{ms} ms"))),
        }
    }

    pub fn reconcile<R: Reconciler>(value: &Option<DateTime<Utc>>, r: R) -> Result<(), R::Error> {
        value.map(|t| t.timestamp_millis()).reconcile(r)
    }
}

/// `#[autosurgeon(with = "crate::doc::date")]`: a calendar date as `YYYY-MM-DD`.
pub mod date {
    use autosurgeon::{HydrateError, Prop, ReadDoc, Reconciler};
    use chrono::NaiveDate;

    pub fn hydrate<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<NaiveDate, HydrateError> {
        let s: String = crate::doc::string(doc, obj, prop)?;
        NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| HydrateError::unexpected("a date", s))
    }

    pub fn reconcile<R: Reconciler>(value: &NaiveDate, mut r: R) -> Result<(), R::Error> {
        r.str(value.format("%Y-%m-%d").to_string())
    }
}

/// `#[autosurgeon(with = "crate::doc::opt_date")]`: a calendar date as `YYYY-MM-DD`.
pub mod opt_date {
    use autosurgeon::{HydrateError, Prop, ReadDoc, Reconcile, Reconciler};
    use chrono::NaiveDate;

    pub fn hydrate<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<Option<NaiveDate>, HydrateError> {
        match crate::doc::opt_string::<_, String>(doc, obj, prop)? {
            None => Ok(None),
            Some(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| HydrateError::unexpected("a date", s)),
        }
    }

    pub fn reconcile<R: Reconciler>(value: &Option<NaiveDate>, r: R) -> Result<(), R::Error> {
        value.map(|d| d.format("%Y-%m-%d").to_string()).reconcile(r)
    }
}

/// A small whole number of a record (a rating, an intensity, a session
/// count): `i32` in the API, so that every shell passes a plain integer and
/// a value out of range is refused by validation with the field's name,
/// whatever its size. Stored as Automerge's unsigned integer when not
/// negative (as earlier versions wrote these fields, and as other
/// implementations write small numbers); read from either integer type.
pub(crate) struct Score(i32);

impl autosurgeon::Hydrate for Score {
    fn hydrate_int(i: i64) -> Result<Self, autosurgeon::HydrateError> {
        i32::try_from(i)
            .map(Score)
            .map_err(|_| autosurgeon::HydrateError::unexpected("a small number", i.to_string()))
    }

    fn hydrate_uint(u: u64) -> Result<Self, autosurgeon::HydrateError> {
        i32::try_from(u)
            .map(Score)
            .map_err(|_| autosurgeon::HydrateError::unexpected("a small number", u.to_string()))
    }
}

impl autosurgeon::Reconcile for Score {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        match u64::try_from(self.0) {
            Ok(u) => r.u64(u),
            Err(_) => r.i64(i64::from(self.0)),
        }
    }
}

/// `#[autosurgeon(with = "crate::doc::score")]`: see [`Score`].
pub mod score {
    use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconcile, Reconciler};

    use crate::doc::Score;

    pub fn hydrate<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<i32, HydrateError> {
        Ok(Score::hydrate(doc, obj, prop)?.0)
    }

    pub fn reconcile<R: Reconciler>(value: &i32, r: R) -> Result<(), R::Error> {
        Score(*value).reconcile(r)
    }
}

/// `#[autosurgeon(with = "crate::doc::opt_score")]`: see [`Score`].
pub mod opt_score {
    use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconcile, Reconciler};

    use crate::doc::Score;

    pub fn hydrate<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<Option<i32>, HydrateError> {
        Ok(Option::<Score>::hydrate(doc, obj, prop)?.map(|s| s.0))
    }

    pub fn reconcile<R: Reconciler>(value: &Option<i32>, r: R) -> Result<(), R::Error> {
        value.map(Score).reconcile(r)
    }
}

/// `#[autosurgeon(with = "crate::doc::scores")]`: see [`Score`].
pub mod scores {
    use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconcile, Reconciler};

    use crate::doc::Score;

    pub fn hydrate<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<Vec<i32>, HydrateError> {
        Ok(Vec::<Score>::hydrate(doc, obj, prop)?
            .into_iter()
            .map(|s| s.0)
            .collect())
    }

    pub fn reconcile<R: Reconciler>(value: &[i32], r: R) -> Result<(), R::Error> {
        value
            .iter()
            .map(|v| Score(*v))
            .collect::<Vec<_>>()
            .reconcile(r)
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ScalarValue};

    use super::*;

    /// A root map with `fields`, each a scalar or (for `Text`) a text object.
    fn document(fields: &[(&str, Option<ScalarValue>)]) -> AutoCommit {
        let mut doc = AutoCommit::new();
        for (key, value) in fields {
            match value {
                Some(v) => doc.put(ROOT, *key, v.clone()).expect("put"),
                None => {
                    let text = doc.put_object(ROOT, *key, ObjType::Text).expect("text");
                    doc.splice_text(&text, 0, 0, "win").expect("splice");
                }
            }
        }
        doc
    }

    #[test]
    fn the_one_pass_envelope_reads_as_the_key_by_key_one_for_every_shape() {
        let id = ItemId::new("doc-1");
        let s = |v: &str| Some(ScalarValue::Str(v.into()));
        let written = vec![
            ("kind", s("win")),
            ("shared", Some(ScalarValue::Boolean(true))),
            ("deleted", Some(ScalarValue::Boolean(false))),
            ("created_at", Some(ScalarValue::Int(1_700_000_000_000))),
            ("updated_at", Some(ScalarValue::Int(1_700_000_360_000))),
            ("record", s("not looked at")),
        ];
        let with = |key: &str, value: Option<ScalarValue>| {
            let mut fields: Vec<_> = written.iter().filter(|(k, _)| *k != key).cloned().collect();
            fields.push((key, value));
            document(&fields)
        };
        let without = |key: &str| {
            let fields: Vec<_> = written.iter().filter(|(k, _)| *k != key).cloned().collect();
            document(&fields)
        };
        let as_written = document(&written);
        assert!(
            envelope_in_one_pass(&as_written).is_some(),
            "what the app writes is read in one pass"
        );
        let shapes = [
            as_written,
            with("kind", None), // the kind as Text
            with("kind", s("no such kind")),
            with("kind", Some(ScalarValue::Int(3))),
            without("kind"),
            with("shared", Some(ScalarValue::Null)),
            with("shared", s("yes")),
            without("deleted"),
            with("created_at", Some(ScalarValue::Uint(5))),
            with(
                "updated_at",
                Some(ScalarValue::Timestamp(1_700_000_000_000)),
            ),
            without("updated_at"),
            AutoCommit::new(),
        ];
        for (i, doc) in shapes.iter().enumerate() {
            assert_eq!(
                format!("{:?}", read_envelope(doc, &id)),
                format!("{:?}", read_envelope_by_key(doc, &id)),
                "shape {i}"
            );
        }
    }
}
