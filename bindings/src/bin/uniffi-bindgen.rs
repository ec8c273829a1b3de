//! The uniffi-bindgen CLI at exactly the uniffi version this workspace uses.
//!
//! Run it as `cargo uniffi-bindgen generate --library <lib> --language <kotlin|swift> --out-dir <dir>`
//! (alias in `.cargo/config.toml`).

fn main() {
    uniffi::uniffi_bindgen_main()
}
