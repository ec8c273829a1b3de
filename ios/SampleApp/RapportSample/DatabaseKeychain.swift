import Foundation
import RapportKit
import Security

/// The record's 32-byte database key in the Keychain: readable on this device
/// only, after its first unlock, never synced to other devices or restored
/// from a backup onto another phone.
enum DatabaseKeychain {
    private static let item = KeychainItem(
        service: "app.rapport.database-key",
        accessible: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
    )

    /// The key, made on first use.
    static func key() async throws -> Data {
        if let existing = try item.read() { return existing }
        let key = try await RecordStore.newKey()
        try item.write(key)
        return key
    }
}
