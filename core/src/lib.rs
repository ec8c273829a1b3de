//! rapport-core
