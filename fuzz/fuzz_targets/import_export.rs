//! An export file imported into an empty store
//! (`rapport_core::fuzz::import_export`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rapport_core::fuzz::import_export(data));
