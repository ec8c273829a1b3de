// The errors RapportKit throws are the bindings' own, with their fields:
// `StoreError.Invalid(field:reason:)`, `.NotFound(kind:id:)`,
// `.ReadOnly(kind:id:owner:)`, `SyncError.Refused(code:message:)`, … so an
// app can show which field was wrong or react to a protocol code. `message`
// is the sentence to show a person (never the content of an entry).
import Foundation
import RapportBindings

extension RapportBindings.StoreError {
    /// What went wrong, in words a person can act on (the Rust `Display`:
    /// formatting only, it touches no record).
    public var message: String { description }
}

extension RapportBindings.SyncError {
    /// What went wrong, in words a person can act on (the Rust `Display`).
    public var message: String { description }

    /// The server could not be reached; local writes are kept.
    public var isOffline: Bool {
        if case .Offline = self { return true }
        return false
    }
}
