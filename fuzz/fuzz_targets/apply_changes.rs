//! Change bytes from elsewhere applied to a store, as the sync engine
//! applies a pulled page (`rapport_core::fuzz::apply_changes`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rapport_core::fuzz::apply_changes(data));
