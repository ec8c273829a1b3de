//! Extractors that answer every failure with the JSON
//! [`ErrorBody`](rapport_protocol::ErrorBody), unlike axum's own, which answer
//! in plain text: bodies (checking the content type and size) and path
//! parameters.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Path, Request, rejection::BytesRejection},
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::{Serialize, de::DeserializeOwned};

use crate::error::ApiError;

/// The largest JSON body any endpoint takes (control requests are small).
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// A JSON request body (`application/json`), at most [`MAX_JSON_BYTES`].
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// A CBOR request or response body (`application/cbor`).
#[derive(Debug)]
pub struct Cbor<T>(pub T);

/// A path parameter (the `{id}` of `/v1/devices/{id}`). A percent-escape
/// that does not decode to UTF-8 is a 400 with the JSON error body (axum's
/// `Path` answered it in plain text: found by the `server_request` fuzz target).
#[derive(Debug)]
pub struct PathParam<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParam<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| PathParam(value))
            // The text names the parameter and the fault, never its value.
            .map_err(|rejection| ApiError::bad_request(rejection.body_text()))
    }
}

fn has_content_type(headers: &HeaderMap, wanted: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(wanted))
}

async fn body_bytes<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection: BytesRejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large("the request body is larger than the server allows")
            } else {
                ApiError::bad_request("the request body could not be read")
            }
        })
}

impl<T> FromRequest<crate::AppState> for JsonBody<T>
where
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(
        request: Request,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        if !has_content_type(request.headers(), "application/json") {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as application/json".into(),
            ));
        }
        // Control bodies are small: a few ids, a password, a public key.
        // Reading stops past the cap, whatever the whole-body limit allows.
        let cap = usize::try_from(state.limits.max_body_bytes)
            .unwrap_or(usize::MAX)
            .min(MAX_JSON_BYTES);
        let bytes = axum::body::to_bytes(request.into_body(), cap)
            .await
            .map_err(|_| ApiError::too_large(format!("a JSON body may be at most {cap} bytes")))?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| ApiError::bad_request(format!("malformed JSON body: {e}")))
    }
}

impl<S, T> FromRequest<S> for Cbor<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !has_content_type(request.headers(), rapport_protocol::CBOR) {
            return Err(ApiError::UnsupportedMediaType(format!(
                "send the body as {}",
                rapport_protocol::CBOR
            )));
        }
        let bytes = body_bytes(request, state).await?;
        // The error text of ciborium names positions and types, never content.
        ciborium::from_reader(bytes.as_ref())
            .map(Cbor)
            .map_err(|e| ApiError::bad_request(format!("malformed CBOR body: {e}")))
    }
}

impl<T: Serialize> IntoResponse for Cbor<T> {
    fn into_response(self) -> Response {
        let mut buf = Vec::new();
        match ciborium::into_writer(&self.0, &mut buf) {
            Ok(()) => ([(header::CONTENT_TYPE, rapport_protocol::CBOR)], buf).into_response(),
            Err(e) => ApiError::Internal(format!("encoding CBOR: {e}")).into_response(),
        }
    }
}
