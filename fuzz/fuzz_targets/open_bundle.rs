//! A sealed bundle opened as a device opens a pulled one
//! (`rapport_crypto::fuzz::open_bundle`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rapport_crypto::fuzz::open_bundle(data));
