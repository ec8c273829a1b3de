//! uniffi facade over rapport-core.
