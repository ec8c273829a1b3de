import Foundation
import RapportKit
import Security

/// The record's 32-byte database key in the Keychain: readable on this device
/// only, after its first unlock, never synced to other devices or restored
/// from a backup onto another phone.
enum DatabaseKeychain {
    private static let service = "app.rapport.database-key"

    /// The key, made on first use.
    static func key() async throws -> Data {
        if let existing = try read() { return existing }
        let key = try await RecordStore.newKey()
        let attributes: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
            kSecValueData as String: key,
        ]
        let status = SecItemAdd(attributes as CFDictionary, nil)
        guard status == errSecSuccess else { throw KeychainError(status: status) }
        return key
    }

    private static func read() throws -> Data? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecReturnData as String: true,
            kSecMatchLimit as String: kSecMatchLimitOne,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = item as? Data else {
            throw KeychainError(status: status)
        }
        return data
    }
}

struct KeychainError: Error {
    let status: OSStatus
}
