// A signed-in device's session, and where it is kept between launches. The
// session holds the bearer token: it is never printed, in any of Swift's ways
// of printing a value (description, debugDescription, String(reflecting:),
// dump, Mirror), and it is kept only by a SessionVault (the Keychain on Apple
// platforms, KeychainSessionVault).
import Foundation
import RapportBindings

/// A signed-in device. The protocol's `Session` (generated, so
/// `RapportBindings.Session` here) would print its token; apps only ever
/// see this type, which redacts it.
public struct Session: Sendable, Hashable {
    public let accountId: AccountId
    public let role: Role
    public let deviceId: DeviceId
    /// The bearer token: internal, and redacted from every description.
    let token: String

    init(_ info: RapportBindings.Session) {
        accountId = info.accountId
        role = info.role
        deviceId = info.deviceId
        token = info.token
    }

    var info: RapportBindings.Session {
        RapportBindings.Session(accountId: accountId, role: role, deviceId: deviceId, token: token)
    }

    static let redacted = "<redacted>"
}

extension Session: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "Session(accountId: \(accountId), role: \(role), deviceId: \(deviceId), token: \(Self.redacted))"
    }

    public var debugDescription: String { description }

    /// What `dump` and debuggers show: the token's place, not the token.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accountId": accountId, "role": role, "deviceId": deviceId, "token": Self.redacted,
            ],
            displayStyle: .struct)
    }
}

// MARK: Keeping a session

extension Session {
    /// The session as bytes for a secure store (the Keychain): it includes
    /// the token, so write it nowhere else.
    public func secretData() -> Data {
        let role: String
        switch self.role {
        case .client: role = "client"
        case .therapist: role = "therapist"
        }
        let stored = StoredSession(accountId: accountId, role: role, deviceId: deviceId, token: token)
        // Encoding four strings cannot fail.
        return (try? JSONEncoder().encode(stored)) ?? Data()
    }

    /// A session from `secretData()`; nil if the bytes are not one.
    public init?(secretData: Data) {
        guard let stored = try? JSONDecoder().decode(StoredSession.self, from: secretData) else { return nil }
        let role: Role
        switch stored.role {
        case "client": role = .client
        case "therapist": role = .therapist
        default: return nil
        }
        self.init(RapportBindings.Session(
            accountId: stored.accountId, role: role, deviceId: stored.deviceId, token: stored.token))
    }
}

private struct StoredSession: Codable {
    let accountId: String
    let role: String
    let deviceId: String
    let token: String
}

/// Where a SyncSession keeps its session and the account key between
/// launches: it saves the session at sign-in, clears it at sign-out and after
/// deleting the account, and `resumeSavedSession()` reads it at launch. The
/// account key is saved whenever the device gets one (sign-up, recovery kit,
/// pairing, passphrase backup), kept at sign-out (signing in again needs it,
/// and the record it seals is still on the device) and cleared only with the
/// account (`deleteEverything`).
public protocol SessionVault: Sendable {
    func save(_ session: Session) throws
    func load() throws -> Session?
    func clear() throws
    func saveAccountKey(_ key: AccountKey) throws
    func loadAccountKey() throws -> AccountKey?
    func clearAccountKey() throws
    /// The new account key of a replacement under way
    /// (`SyncSession.replaceAccountKey`), kept until it is done.
    func savePendingAccountKey(_ key: AccountKey) throws
    func loadPendingAccountKey() throws -> AccountKey?
    func clearPendingAccountKey() throws
}

/// A vault in memory only (tests, previews): nothing survives the process.
public final class MemorySessionVault: SessionVault {
    private let stored = Locked<Session?>(nil)
    private let accountKey = Locked<AccountKey?>(nil)
    private let pendingAccountKey = Locked<AccountKey?>(nil)

    public init() {}
    public func save(_ session: Session) throws { stored.withLock { $0 = session } }
    public func load() throws -> Session? { stored.withLock { $0 } }
    public func clear() throws { stored.withLock { $0 = nil } }
    public func saveAccountKey(_ key: AccountKey) throws { accountKey.withLock { $0 = key } }
    public func loadAccountKey() throws -> AccountKey? { accountKey.withLock { $0 } }
    public func clearAccountKey() throws { accountKey.withLock { $0 = nil } }
    public func savePendingAccountKey(_ key: AccountKey) throws { pendingAccountKey.withLock { $0 = key } }
    public func loadPendingAccountKey() throws -> AccountKey? { pendingAccountKey.withLock { $0 } }
    public func clearPendingAccountKey() throws { pendingAccountKey.withLock { $0 = nil } }
}

#if canImport(Security)
import Security

/// One secret in the Keychain as a generic password under `service`, on this
/// device only (the accessibility classes used here are all `ThisDeviceOnly`:
/// never synced through iCloud Keychain, never restored onto another phone).
/// Shared by the session vault and the apps' database key. Not built on Linux.
public struct KeychainItem: Sendable {
    public let service: String
    /// E.g. kSecAttrAccessibleWhenUnlockedThisDeviceOnly.
    public let accessible: String

    public init(service: String, accessible: CFString) {
        self.service = service
        self.accessible = accessible as String
    }

    public func write(_ data: Data) throws {
        try delete()
        let attributes: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccessible as String: accessible,
            kSecValueData as String: data,
        ]
        let status = SecItemAdd(attributes as CFDictionary, nil)
        guard status == errSecSuccess else { throw KeychainError(status: status) }
    }

    public func read() throws -> Data? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecReturnData as String: true,
            kSecMatchLimit as String: kSecMatchLimitOne,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = item as? Data else { throw KeychainError(status: status) }
        return data
    }

    public func delete() throws {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
        ]
        let status = SecItemDelete(query as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else { throw KeychainError(status: status) }
    }
}

/// The session and the account key in the Keychain, two items readable only
/// while the device is unlocked, on this device only
/// (kSecAttrAccessibleWhenUnlockedThisDeviceOnly: never in iCloud Keychain,
/// never restored onto another phone; a new phone takes the key from the
/// recovery kit or by pairing).
public struct KeychainSessionVault: SessionVault {
    private let item: KeychainItem
    private let accountKeyItem: KeychainItem
    private let pendingAccountKeyItem: KeychainItem

    public init(service: String = "app.rapport.session", accountKeyService: String = "app.rapport.account-key") {
        item = KeychainItem(service: service, accessible: kSecAttrAccessibleWhenUnlockedThisDeviceOnly)
        accountKeyItem = KeychainItem(service: accountKeyService, accessible: kSecAttrAccessibleWhenUnlockedThisDeviceOnly)
        pendingAccountKeyItem = KeychainItem(
            service: accountKeyService + ".pending", accessible: kSecAttrAccessibleWhenUnlockedThisDeviceOnly)
    }

    public func save(_ session: Session) throws { try item.write(session.secretData()) }

    public func load() throws -> Session? { try item.read().flatMap { Session(secretData: $0) } }

    public func clear() throws { try item.delete() }

    public func saveAccountKey(_ key: AccountKey) throws { try accountKeyItem.write(key.secretData()) }

    public func loadAccountKey() throws -> AccountKey? { try accountKeyItem.read().map(AccountKey.init(secretData:)) }

    public func clearAccountKey() throws { try accountKeyItem.delete() }

    public func savePendingAccountKey(_ key: AccountKey) throws { try pendingAccountKeyItem.write(key.secretData()) }

    public func loadPendingAccountKey() throws -> AccountKey? {
        try pendingAccountKeyItem.read().map(AccountKey.init(secretData:))
    }

    public func clearPendingAccountKey() throws { try pendingAccountKeyItem.delete() }
}

/// A Keychain call failed; `status` is the OSStatus (see SecBase.h).
public struct KeychainError: Error, Sendable {
    public let status: OSStatus
}
#endif
