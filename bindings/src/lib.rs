//! uniffi facade over rapport-core: what Kotlin and Swift see.
//!
//! Exports are declared with uniffi's proc-macros and the bindings are
//! generated in library mode from the built library (see bindings/README.md).
//! For now only `pipeline_probe` is exposed, a placeholder API that proves the
//! build and test pipeline; the core's API replaces it here.

uniffi::setup_scaffolding!();

pub mod pipeline_probe;
