//! The server's error type and its mapping to the wire's [`ErrorBody`].
//!
//! Every failure a handler can meet is one [`ApiError`] variant; the HTTP
//! status and [`ErrorCode`] follow from the variant alone, so that the same
//! mistake always gets the same answer. Messages never carry document bytes,
//! tokens or passwords.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use rapport_protocol::{ErrorBody, ErrorCode};

/// What went wrong while serving a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("sign in again: the token is missing, unknown or revoked")]
    Unauthorized,
    #[error("wrong email or password")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    StaleEpoch(String),
    #[error("{0}")]
    KeyRotated(String),
    #[error("{0}")]
    Timeout(String),
    #[error("{0}")]
    Expired(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Too many wrong passwords for one account (see [`crate::lockout`]).
    #[error("too many failed sign-ins for this account; retry in {retry_after_secs} s")]
    LockedOut { retry_after_secs: u64 },
    #[error("storage failed: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("storage failed: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest(message.into())
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound(message.into())
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::Timeout(message.into())
    }
    pub fn stale_epoch(message: impl Into<String>) -> Self {
        Self::StaleEpoch(message.into())
    }
    pub fn key_rotated(message: impl Into<String>) -> Self {
        Self::KeyRotated(message.into())
    }
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::TooLarge(message.into())
    }

    /// The wire code and HTTP status of this error.
    pub fn code(&self) -> (StatusCode, ErrorCode) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized),
            Self::BadCredentials => (StatusCode::UNAUTHORIZED, ErrorCode::BadCredentials),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            Self::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict),
            Self::StaleEpoch(_) => (StatusCode::CONFLICT, ErrorCode::StaleEpoch),
            Self::KeyRotated(_) => (StatusCode::CONFLICT, ErrorCode::KeyRotated),
            Self::Timeout(_) => (StatusCode::REQUEST_TIMEOUT, ErrorCode::Timeout),
            Self::Expired(_) => (StatusCode::GONE, ErrorCode::Expired),
            Self::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge),
            Self::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
            ),
            Self::RateLimited { .. } | Self::LockedOut { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited)
            }
            Self::Storage(_) | Self::Postgres(_) | Self::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = self.code();
        let message = match &self {
            // Internal details stay in the log, not on the wire.
            Self::Storage(_) | Self::Postgres(_) | Self::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                "the server failed; nothing was changed, try again later".to_owned()
            }
            other => other.to_string(),
        };
        let mut response = (status, Json(ErrorBody { error, message })).into_response();
        if let Self::RateLimited { retry_after_secs } | Self::LockedOut { retry_after_secs } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if matches!(self, Self::TooLarge(_)) {
            // A body refused for its size is often left unread, and hyper
            // then closes the connection after this answer. Saying so keeps
            // a client from putting the connection back in its pool and
            // sending its next request into a closed socket.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

/// The result type of handlers and storage functions.
pub type ApiResult<T> = Result<T, ApiError>;
