//! The HTTP transport of the sync engine: HTTPS (rustls with the ring
//! provider, Mozilla's roots plus any the app adds), plain HTTP only to
//! loopback, JSON for control calls and CBOR for sync, error bodies mapped to
//! [`SyncError`], and a count of requests and body bytes for the benchmark.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rapport_protocol::{CBOR, ErrorBody, ErrorCode};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::SyncError;

/// Requests made and body bytes moved, since the client was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    pub requests: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

#[derive(Debug)]
pub(crate) struct Transport {
    base: Url,
    client: reqwest::Client,
    requests: AtomicU64,
    sent: AtomicU64,
    received: AtomicU64,
}

impl Transport {
    /// `extra_roots_pem`: certificates (PEM) to trust beyond the public roots,
    /// for a self-hosted server with its own CA.
    pub fn new(server_url: &str, extra_roots_pem: Option<&str>) -> Result<Self, SyncError> {
        let invalid = |reason: &str| SyncError::InvalidServerUrl {
            url: server_url.to_owned(),
            reason: reason.to_owned(),
        };
        let mut base = Url::parse(server_url).map_err(|e| invalid(&e.to_string()))?;
        match base.scheme() {
            "https" => {}
            "http" if is_loopback(&base) => {}
            "http" => {
                return Err(SyncError::InsecureUrl {
                    url: server_url.to_owned(),
                });
            }
            _ => return Err(invalid("it must start with https://")),
        }
        if base.host().is_none() {
            return Err(invalid("it has no host"));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let tls = tls_config(extra_roots_pem).map_err(|e| invalid(&e))?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| invalid(&e.to_string()))?;
        Ok(Transport {
            base,
            client,
            requests: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            received: AtomicU64::new(0),
        })
    }

    pub fn traffic(&self) -> Traffic {
        Traffic {
            requests: self.requests.load(Ordering::Relaxed),
            bytes_sent: self.sent.load(Ordering::Relaxed),
            bytes_received: self.received.load(Ordering::Relaxed),
        }
    }

    /// A JSON call; `body` is sent when given. An empty 2xx answer reads as `null`.
    pub async fn json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> Result<T, SyncError> {
        let bytes = match body {
            Some(b) => Some(serde_json::to_vec(b).map_err(|e| SyncError::Protocol(e.to_string()))?),
            None => None,
        };
        let answer = self
            .send(method, path, token, bytes.map(|b| (b, "application/json")))
            .await?;
        let answer = if answer.is_empty() {
            b"null".to_vec()
        } else {
            answer
        };
        serde_json::from_slice(&answer).map_err(|e| SyncError::Protocol(e.to_string()))
    }

    /// A CBOR call (the sync endpoint).
    pub async fn cbor<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: &B,
    ) -> Result<T, SyncError> {
        let bytes = super::cbor::encode(body, "the request")?;
        let mut answer = self
            .send(method, path, Some(token), Some((bytes, CBOR)))
            .await?;
        if answer.is_empty() {
            answer = vec![0xf6]; // CBOR null, for an empty 2xx answer
        }
        super::cbor::decode(&answer, "the server's answer")
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<(Vec<u8>, &str)>,
    ) -> Result<Vec<u8>, SyncError> {
        let url = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
        let mut request = self.client.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some((bytes, content_type)) = body {
            self.sent.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            request = request
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(bytes);
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = request.send().await.map_err(offline)?;
        let status = response.status();
        let answer = response.bytes().await.map_err(offline)?;
        self.received
            .fetch_add(answer.len() as u64, Ordering::Relaxed);
        if status.is_success() {
            return Ok(answer.to_vec());
        }
        Err(refusal(status, &answer))
    }
}

fn offline(err: reqwest::Error) -> SyncError {
    // The chain of sources says why (connection refused, DNS, TLS, timeout).
    let mut reason = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    SyncError::Offline { reason }
}

fn refusal(status: StatusCode, answer: &[u8]) -> SyncError {
    let body: Option<ErrorBody> = serde_json::from_slice(answer).ok();
    let message = body
        .as_ref()
        .map(|b| b.message.clone())
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
    if status.is_server_error() {
        return SyncError::Server {
            status: status.as_u16(),
            message,
        };
    }
    match body.map(|b| b.error) {
        Some(ErrorCode::Unauthorized) => SyncError::SessionExpired,
        Some(ErrorCode::KeyRotated) => SyncError::AccountKeyReplaced,
        Some(ErrorCode::BadCredentials) => SyncError::BadCredentials,
        Some(code) => SyncError::Rejected { code, message },
        None => SyncError::Protocol(format!("HTTP {status} without an error body")),
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn tls_config(extra_roots_pem: Option<&str>) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = extra_roots_pem {
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert = cert.map_err(|e| format!("the extra certificate is not valid PEM: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("the extra certificate is not usable: {e}"))?;
            added += 1;
        }
        if added == 0 {
            return Err("the extra certificate PEM holds no certificate".into());
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}
