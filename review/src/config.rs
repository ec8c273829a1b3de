//! The command line. The app listens on 127.0.0.1 only: anything else is
//! refused at start-up, since its pages hold a client's record.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Parser;

use crate::error::ReviewError;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "rapport-review",
    about = "Rapport Review: prepare IPT sessions from what your clients shared"
)]
pub struct Config {
    /// The Rapport sync server, e.g. https://sync.example.org
    #[arg(long, env = "RAPPORT_REVIEW_SERVER")]
    pub server: String,
    /// Where the encrypted record lives (default: the platform's data folder).
    #[arg(long, env = "RAPPORT_REVIEW_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The loopback address to listen on; nothing else is accepted.
    #[arg(long, default_value = "127.0.0.1")]
    pub listen: String,
    /// The port; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Keep the keys in a file in the data folder instead of the OS keystore
    /// (chosen by itself when no keystore service is running).
    #[arg(long)]
    pub key_file_fallback: bool,
    /// Seconds between background syncs.
    #[arg(long, default_value_t = 60)]
    pub sync_every: u64,
    /// Do not open the browser; only print the link.
    #[arg(long = "no-browser", action = clap::ArgAction::SetFalse)]
    pub open_browser: bool,
    /// Take this day as today (demonstrations and tests); default: the
    /// computer's date.
    #[arg(long)]
    pub today: Option<NaiveDate>,
}

impl Config {
    /// The address to bind: 127.0.0.1 (or `localhost`) only.
    pub fn listen_addr(&self) -> Result<SocketAddr, ReviewError> {
        let ip = if self.listen.eq_ignore_ascii_case("localhost") {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            self.listen.parse::<IpAddr>().map_err(|_| {
                ReviewError::Config(format!(
                    "--listen {:?} is not an address; rapport-review listens on 127.0.0.1 only",
                    self.listen
                ))
            })?
        };
        if ip != IpAddr::V4(Ipv4Addr::LOCALHOST) {
            return Err(ReviewError::Config(format!(
                "refusing to listen on {ip}: rapport-review serves a client's record to this \
                 computer's browser only, so it listens on 127.0.0.1 and nothing else"
            )));
        }
        Ok(SocketAddr::new(ip, self.port))
    }

    /// The data folder: `--data-dir`, else the platform's (for example
    /// `~/.local/share/rapport-review` on Linux).
    pub fn data_dir(&self) -> Result<PathBuf, ReviewError> {
        match &self.data_dir {
            Some(dir) => Ok(dir.clone()),
            None => dirs::data_dir()
                .map(|d| d.join("rapport-review"))
                .ok_or_else(|| {
                    ReviewError::Config("no data folder on this system; pass --data-dir".into())
                }),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn with_listen(listen: &str) -> Config {
        Config::parse_from([
            "rapport-review",
            "--server",
            "http://127.0.0.1:1",
            "--listen",
            listen,
        ])
    }

    #[test]
    fn only_loopback_is_accepted() {
        assert!(with_listen("127.0.0.1").listen_addr().is_ok());
        assert!(with_listen("localhost").listen_addr().is_ok());
        for other in [
            "0.0.0.0",
            "::",
            "::1",
            "192.168.1.2",
            "127.0.0.2",
            "example.org",
        ] {
            assert!(
                with_listen(other).listen_addr().is_err(),
                "{other} was accepted"
            );
        }
    }
}
