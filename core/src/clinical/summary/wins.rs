//! The wins of the range, with the goal and milestone each is linked to.

use crate::clinical::load::{Gathered, WinEntry, win_entry};
use crate::clinical::scope::Span;

pub(super) fn in_range(record: &Gathered, range: &Span) -> Vec<WinEntry> {
    record
        .wins
        .iter()
        .filter(|w| range.contains(w.record.occurred_at))
        .map(|w| win_entry(record, w))
        .collect()
}
