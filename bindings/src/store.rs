//! `RapportStore`: the client's record on the device, as the shells see it.
//! A thin object over `rapport_core::Store`; every method converts FFI
//! records to core records and back (see `records.rs`) and maps errors.

use std::sync::Arc;

use rapport_core::Store;

use crate::errors::StoreError;

#[derive(Debug, uniffi::Object)]
pub struct RapportStore {
    pub(crate) inner: Arc<Store>,
}

#[uniffi::export]
impl RapportStore {
    /// Opens (or creates) the record at `path`, a file in the app's private
    /// storage.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>, StoreError> {
        let inner = Store::open(path)?;
        Ok(Arc::new(RapportStore {
            inner: Arc::new(inner),
        }))
    }

    /// The file this record lives in.
    pub fn path(&self) -> String {
        self.inner.path().display().to_string()
    }
}
