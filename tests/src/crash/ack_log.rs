//! The writer's acknowledgement log. A marker is appended, and flushed to
//! disk, only after the store's call for its entry returned, so each line
//! names a write the API acknowledged. Every writer run has a file of its
//! own in one folder: a line cut short by a kill ends that file and is no
//! acknowledgement (only lines ending in a newline count).

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// One writer run's log, open for appending.
#[derive(Debug)]
pub struct AckLog {
    file: File,
}

impl AckLog {
    /// Creates run `run`'s log in `dir`.
    pub fn create(dir: &Path, run: u32) -> io::Result<AckLog> {
        fs::create_dir_all(dir)?;
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(AckLog::path(dir, run))?;
        Ok(AckLog { file })
    }

    /// Where run `run`'s log is in `dir`.
    pub fn path(dir: &Path, run: u32) -> PathBuf {
        dir.join(format!("run-{run:05}.log"))
    }

    /// Records that the write carrying `marker` was acknowledged; durable
    /// when this returns.
    pub fn acknowledge(&mut self, marker: &str) -> io::Result<()> {
        self.file.write_all(format!("{marker}\n").as_bytes())?;
        self.file.sync_data()
    }

    /// Every marker acknowledged in any run's log in `dir`.
    pub fn read_all(dir: &Path) -> io::Result<BTreeSet<String>> {
        let mut acked = BTreeSet::new();
        if !dir.exists() {
            return Ok(acked);
        }
        for entry in fs::read_dir(dir)? {
            let text = fs::read_to_string(entry?.path())?;
            let complete = text
                .split_inclusive('\n')
                .filter_map(|line| line.strip_suffix('\n'));
            acked.extend(complete.map(str::to_owned));
        }
        Ok(acked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_run_s_complete_lines_count_and_a_line_cut_short_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = AckLog::create(dir.path(), 1).unwrap();
        first.acknowledge("r00001w00000000").unwrap();
        first.acknowledge("r00001w00000001").unwrap();
        // A kill in the middle of the next line.
        first.file.write_all(b"r00001w0000").unwrap();
        let mut second = AckLog::create(dir.path(), 2).unwrap();
        second.acknowledge("r00002w00000000").unwrap();

        let acked = AckLog::read_all(dir.path()).unwrap();
        let expected: BTreeSet<String> = ["r00001w00000000", "r00001w00000001", "r00002w00000000"]
            .map(str::to_owned)
            .into();
        assert_eq!(acked, expected);
    }

    #[test]
    fn a_run_never_appends_to_another_run_s_log() {
        let dir = tempfile::tempdir().unwrap();
        AckLog::create(dir.path(), 3).unwrap();
        assert!(AckLog::create(dir.path(), 3).is_err());
    }

    #[test]
    fn no_log_yet_means_nothing_acknowledged() {
        let dir = tempfile::tempdir().unwrap();
        let acked = AckLog::read_all(&dir.path().join("acks")).unwrap();
        assert!(acked.is_empty());
    }
}
