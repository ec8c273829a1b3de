//! Crash trials (`scripts/crash-trials`, docs/proof.md): a writer process
//! adds journal entries and syncs while it, and the server, are killed with
//! SIGKILL at random moments; afterwards every write the store acknowledged
//! must be there exactly once, on the device and, after a sync, on another
//! device of the account. What the writer (`crash-writer`) and the trial
//! driver (`crash-trials`) share lives here.

mod ack_log;
mod keystore;
mod rng;
mod tally;

pub use ack_log::AckLog;
pub use keystore::Keystore;
pub use rng::Rng;
pub use tally::{Tally, count_markers};

/// What the trial programs fail with.
pub type Failure = Box<dyn std::error::Error + Send + Sync>;

/// The text of the entry that carries `marker`.
const ENTRY_PREFIX: &str = "Crash trial entry ";

/// The marker of the `n`th write of writer run `run`: unique in a trial
/// series, and of one fixed width, so that nothing else parses as one.
pub fn marker(run: u32, n: u64) -> String {
    format!("r{run:05}w{n:08}")
}

/// The text of the journal entry that carries `marker`.
pub fn entry_text(marker: &str) -> String {
    format!("{ENTRY_PREFIX}{marker}")
}

/// The marker an entry's text carries, if it is a trial entry.
pub fn marker_in(text: &str) -> Option<&str> {
    text.strip_prefix(ENTRY_PREFIX).filter(|m| is_marker(m))
}

/// Whether `text` is exactly one marker.
fn is_marker(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 15
        && bytes[0] == b'r'
        && bytes[6] == b'w'
        && bytes[1..6]
            .iter()
            .chain(&bytes[7..])
            .all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_text_gives_back_its_marker_and_nothing_else_passes_for_one() {
        let m = marker(17, 4_021);
        assert_eq!(m, "r00017w00004021");
        assert_eq!(marker_in(&entry_text(&m)), Some(m.as_str()));
        assert_eq!(marker_in("Crash trial entry r00017w0000402"), None);
        assert_eq!(marker_in("Crash trial entry r00017w000040211"), None);
        assert_eq!(marker_in("Crash trial entry r0001xw00004021"), None);
        assert_eq!(marker_in("I spoke up at the meeting"), None);
    }
}
