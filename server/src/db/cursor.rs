//! The pull cursor: the device's position in each feed it reads, held by
//! the device as one opaque string (docs/protocol.md, "Pull and the cursor").
//!
//! Text form: `<feed>:<seq>` pairs in feed order, separated by commas, e.g.
//! `1:42,7:3`. A cursor of schema version 1 (one number) is that position in
//! every feed: feeds were numbered from the old global sequence on.
//!
//! A document delivered whole may be larger than a page: it is then sent
//! over several pages, and the cursor names how far it got, after a `|`:
//! `<feed>:<whole seq>:<part order>:<part seq>` (the whole event's number in
//! that feed, and the last part sent, snapshots (order 0) before bundles
//! (order 1), each by sequence number), e.g. `1:41,7:3|7:4:1:17`.

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
    /// A document delivered whole that the last page sent only part of.
    partial: Option<Partial>,
}

/// How far the delivery of one whole document got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partial {
    pub feed: i64,
    /// The number of the whole event in its feed.
    pub whole_seq: i64,
    /// The last part sent: (order, seq), snapshots (0) before bundles (1).
    pub sent: (i64, i64),
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
                partial: None,
            });
        }
        let (text, partial) = match text.split_once('|') {
            Some((positions, partial)) => (positions, Some(Partial::parse(partial)?)),
            None => (text, None),
        };
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
            partial,
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

    /// The whole document the last page sent part of, if any.
    pub fn partial(&self) -> Option<Partial> {
        self.partial
    }

    /// The same cursor, noting a whole document sent in part.
    pub fn with_partial(mut self, partial: Option<Partial>) -> Cursor {
        self.partial = partial;
        self
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
            partial: None,
        }
    }

    /// The text the device keeps and sends back.
    pub fn encode(&self) -> String {
        let pairs: Vec<String> = self
            .positions
            .iter()
            .map(|(feed, seq)| format!("{feed}:{seq}"))
            .collect();
        let positions = pairs.join(",");
        match self.partial {
            Some(p) => format!(
                "{positions}|{}:{}:{}:{}",
                p.feed, p.whole_seq, p.sent.0, p.sent.1
            ),
            None => positions,
        }
    }
}

impl Partial {
    fn parse(text: &str) -> ApiResult<Partial> {
        let numbers = text
            .split(':')
            .map(number)
            .collect::<ApiResult<Vec<i64>>>()?;
        match numbers[..] {
            [feed, whole_seq, order @ (0 | 1), seq] if whole_seq > 0 => Ok(Partial {
                feed,
                whole_seq,
                sent: (order, seq),
            }),
            _ => Err(malformed()),
        }
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
        let partial = Cursor::parse(Some("1:42,7:3|7:4:1:17")).expect("parses");
        assert_eq!(partial.encode(), "1:42,7:3|7:4:1:17");
        assert_eq!(
            partial.partial().map(|p| (p.feed, p.whole_seq, p.sent)),
            Some((7, 4, (1, 17)))
        );
    }

    #[test]
    fn malformed_cursors_are_refused() {
        for text in [
            "",
            "x",
            "1:",
            ":3",
            "1:2,1:3",
            "1:-2",
            "1:2;3:4",
            "-5",
            "1:2|",
            "1:2|1:3:2:4",
            "1:2|1:3:0",
            "1:2|1:0:0:4",
            "1:2|1:3:0:4:5",
            "1:2|1:3:0:4|1:3:0:4",
        ] {
            assert!(Cursor::parse(Some(text)).is_err(), "{text:?}");
        }
    }
}
