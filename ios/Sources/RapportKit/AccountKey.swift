// The account key: 32 bytes that seal everything this account syncs (end to
// end; the server never sees them). RapportKit keeps it in the SessionVault
// beside the session (the Keychain on Apple platforms) and hands it to the
// library at every launch. Like Session's token it is never printed; and a
// new device gets it from the recovery kit, from pairing (PairingOffer) or
// from the passphrase backup.
import Foundation
import RapportBindings

/// The account's root secret. Apps keep it only through a `SessionVault`;
/// every printed form of it is `AccountKey(<redacted>)`.
public struct AccountKey: Sendable, Hashable {
    /// The 32 bytes: internal, and redacted from every description.
    let bytes: Data

    /// A key from `secretData()` (the Keychain's bytes). The library refuses
    /// anything but 32 bytes with `SyncError.Sealing` when it is used.
    public init(secretData: Data) { bytes = secretData }

    /// The bytes for a secure store (the Keychain): write them nowhere else.
    public func secretData() -> Data { bytes }
}

extension AccountKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "AccountKey(\(Session.redacted))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["bytes": Session.redacted], displayStyle: .struct) }
}

/// A new device's side of pairing: a one-time key. Show `offer` (text or a
/// QR code) to a device that has the account key, never through the server;
/// that device answers with `SyncSession.sealForPairing(offer:)` and this one
/// takes the key with `SyncSession.acceptPairing(_:sealed:)`. Both then show
/// the same 6-digit code. `offer` is a public key; the secret half stays in
/// Rust and is wiped when this is released.
public final class PairingOffer: Sendable, CustomStringConvertible {
    let ffi: FFIChannel<RapportBindings.PairingOffer>
    /// The text to show or encode as a QR code (groups of four characters).
    public let offer: String

    public init() async throws {
        ffi = try await FFIChannel.make(label: "app.rapport.pairing") { RapportBindings.PairingOffer() }
        offer = await ffi.get { $0.offer() }
    }

    public var description: String { "PairingOffer(offer: \(offer))" }
}
