//! The pull cursor: the device's position in each feed it reads, held by
//! the device as one opaque string (docs/protocol.md, "Pull and the cursor").
//!
//! Text form: `<feed>:<seq>` pairs in feed order, separated by commas, e.g.
//! `1:42,7:3`. A cursor of schema version 1 (one number) is that position in
//! every feed: feeds were numbered from the old global sequence on.

use std::collections::BTreeMap;

use crate::error::{ApiError, ApiResult};

/// A parsed cursor; [`Cursor::default`] is a device's first pull.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor {
    positions: BTreeMap<i64, i64>,
    /// A version-1 cursor: the position in every feed.
    legacy: Option<i64>,
    /// True when the device sent a cursor at all.
    given: bool,
}

fn malformed() -> ApiError {
    ApiError::bad_request("malformed cursor; sync again without one")
}

fn number(text: &str) -> ApiResult<i64> {
    text.parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(malformed)
}

impl Cursor {
    /// Parses an opaque cursor; `None` is the start.
    pub fn parse(text: Option<&str>) -> ApiResult<Cursor> {
        let Some(text) = text else {
            return Ok(Cursor::default());
        };
        if !text.contains(':') {
            return Ok(Cursor {
                positions: BTreeMap::new(),
                legacy: Some(number(text)?),
                given: true,
            });
        }
        let mut positions = BTreeMap::new();
        for pair in text.split(',') {
            let (feed, seq) = pair.split_once(':').ok_or_else(malformed)?;
            if positions.insert(number(feed)?, number(seq)?).is_some() {
                return Err(malformed());
            }
        }
        Ok(Cursor {
            positions,
            legacy: None,
            given: true,
        })
    }

    /// True on a device's first pull (no cursor sent).
    pub fn is_start(&self) -> bool {
        !self.given
    }

    /// The position in `feed`: 0 for a feed the device has not read yet.
    pub fn at(&self, feed: i64) -> i64 {
        self.positions
            .get(&feed)
            .copied()
            .or(self.legacy)
            .unwrap_or(0)
    }

    /// The feeds this cursor names, with their positions.
    pub fn positions(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.positions.iter().map(|(feed, seq)| (*feed, *seq))
    }

    /// A version-1 position, if this is a version-1 cursor.
    pub fn legacy(&self) -> Option<i64> {
        self.legacy
    }

    /// The cursor at these positions (feed, seq).
    pub fn from_positions(positions: impl IntoIterator<Item = (i64, i64)>) -> Cursor {
        Cursor {
            positions: positions.into_iter().collect(),
            legacy: None,
            given: true,
        }
    }

    /// The text the device keeps and sends back.
    pub fn encode(&self) -> String {
        let pairs: Vec<String> = self
            .positions
            .iter()
            .map(|(feed, seq)| format!("{feed}:{seq}"))
            .collect();
        pairs.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn a_cursor_round_trips_and_old_cursors_apply_to_every_feed() {
        let cursor = Cursor::from_positions([(7, 3), (1, 42)]);
        assert_eq!(cursor.encode(), "1:42,7:3");
        let back = Cursor::parse(Some("1:42,7:3")).expect("parses");
        assert_eq!(back, cursor);
        assert_eq!((back.at(1), back.at(7), back.at(9)), (42, 3, 0));
        let old = Cursor::parse(Some("120")).expect("parses");
        assert_eq!((old.at(1), old.at(9), old.legacy()), (120, 120, Some(120)));
        assert!(Cursor::parse(None).expect("parses").is_start());
    }

    #[test]
    fn malformed_cursors_are_refused() {
        for text in ["", "x", "1:", ":3", "1:2,1:3", "1:-2", "1:2;3:4", "-5"] {
            assert!(Cursor::parse(Some(text)).is_err(), "{text:?}");
        }
    }
}
