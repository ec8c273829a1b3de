//! The app's errors: start-up errors end the process with a message; page
//! errors become an error page. Neither quotes the record's content.

/// What can go wrong in the review app.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// A flag or its value is not acceptable.
    #[error("{0}")]
    Config(String),
    /// Opening the record, the keystore or the listening socket failed.
    #[error("cannot start: {0}")]
    Start(String),
    /// The OS keystore or the key file failed.
    #[error("keystore: {0}")]
    Keystore(String),
    /// Reading or writing the record failed.
    #[error(transparent)]
    Store(#[from] rapport_core::Error),
    #[error(transparent)]
    Clinical(#[from] rapport_core::clinical::ClinicalError),
    #[error(transparent)]
    Sync(#[from] rapport_core::sync::SyncError),
    /// A page was asked for something that is not there.
    #[error("{0}")]
    NotFound(String),
    /// A form was filled in wrongly.
    #[error("{0}")]
    BadRequest(String),
    #[error("a page could not be drawn: {0}")]
    Render(String),
}

impl From<askama::Error> for ReviewError {
    fn from(e: askama::Error) -> Self {
        ReviewError::Render(e.to_string())
    }
}
