// SyncSession: signing in, care links, sharing and syncing one RecordStore
// with one server, with async/await. The Rust side runs the network work on
// its own threads; awaiting never blocks a thread, no call runs on the
// caller's thread (FFIChannel), and cancelling the awaiting task cancels the
// Rust work.
import Foundation
import RapportBindings

public final class SyncSession: Sendable {
    let ffi: FFIChannel<RapportSync>
    public let store: RecordStore
    private let vault: (any SessionVault)?

    /// Nothing is sent until a call needs it. `serverURL` is `https://…`
    /// (plain `http://` only to this device); `extraRootCertificatePEM`
    /// trusts a server with its own certificate authority. With a `vault`
    /// (the Keychain: `KeychainSessionVault`), signing in keeps the session
    /// there and `resumeSavedSession()` uses it on the next launch.
    public init(
        store: RecordStore, serverURL: URL, deviceName: String,
        extraRootCertificatePEM: String? = nil, vault: (any SessionVault)? = nil
    ) async throws {
        self.store = store
        self.vault = vault
        let settings = SyncSettings(
            serverUrl: serverURL.absoluteString, deviceName: deviceName,
            extraRootCertificatePem: extraRootCertificatePEM)
        ffi = try await store.ffi.derive { try RapportSync(store: $0, settings: settings) }
    }

    // MARK: Accounts and devices

    /// Creates an account and signs this device in; the session goes to the
    /// vault. Cancelling the calling task cancels the request (it throws
    /// `CancellationError` and nothing is kept).
    @discardableResult
    public func signUp(email: String, password: String, role: Role, displayName: String) async throws -> Session {
        let info = try await ffi.callAsync {
            try await $0.signUp(email: email, password: password, role: role, displayName: displayName)
        }
        return try keep(Session(info))
    }

    @discardableResult
    public func signIn(email: String, password: String) async throws -> Session {
        let info = try await ffi.callAsync { try await $0.signIn(email: email, password: password) }
        return try keep(Session(info))
    }

    /// Uses a session from an earlier sign-in (no network).
    public func resume(_ session: Session) async throws {
        let info = session.info
        try await ffi.call { try $0.resume(session: info) }
    }

    /// At launch: resumes the session kept in the vault, if there is one, and
    /// returns it. A kept session the library refuses is removed.
    @discardableResult
    public func resumeSavedSession() async throws -> Session? {
        guard let saved = try vault?.load() else { return nil }
        do {
            try await resume(saved)
            return saved
        } catch let error as SyncError {
            try vault?.clear()
            throw error
        }
    }

    /// The signed-in session, if any.
    public var session: Session? {
        get async { await ffi.get { $0.session() }.map(Session.init) }
    }

    /// Signs this device out on the server and forgets the kept session.
    public func signOut() async throws {
        try await ffi.callAsync { try await $0.signOut() }
        try vault?.clear()
    }

    public func devices() async throws -> [Device] { try await ffi.callAsync { try await $0.devices() } }
    public func revokeDevice(_ deviceId: String) async throws {
        try await ffi.callAsync { try await $0.revokeDevice(deviceId: deviceId) }
    }

    // MARK: Care links and sharing

    /// A client's short-lived, single-use code for the therapist to redeem.
    public func createInvite() async throws -> Invite { try await ffi.callAsync { try await $0.createInvite() } }
    /// A therapist redeems a client's invite.
    @discardableResult
    public func redeemInvite(_ code: String) async throws -> CareLink {
        try await ffi.callAsync { try await $0.redeemInvite(code: code) }
    }
    public func links() async throws -> [CareLink] { try await ffi.callAsync { try await $0.links() } }
    public func endLink(_ linkId: String) async throws { try await ffi.callAsync { try await $0.endLink(linkId: linkId) } }

    /// Shares every item of `kind` (present and future) with a linked
    /// therapist; with `person`, only items about that person.
    @discardableResult
    public func share(_ kind: ItemKind, with therapist: String, aboutPerson person: String? = nil) async throws -> Grant {
        try await ffi.callAsync { try await $0.shareKind(therapist: therapist, kind: kind, personId: person) }
    }
    public func grants() async throws -> [Grant] { try await ffi.callAsync { try await $0.grants() } }
    public func revokeGrant(_ grantId: String) async throws {
        try await ffi.callAsync { try await $0.revokeGrant(grantId: grantId) }
    }
    /// Every read of this account's items by someone else ("who read my data").
    public func accessLog() async throws -> [AccessLogEntry] { try await ffi.callAsync { try await $0.accessLog() } }
    /// The client's preview of what the therapist will see: the session
    /// summary of only the items shared one by one or through a kind grant.
    public func therapistViewSummary(
        from: Date? = nil, to: Date? = nil, today: Date = Date()
    ) async throws -> SessionSummary {
        let (from, to, today) = (from.map { Day.string($0) }, to.map { Day.string($0) }, Day.string(today))
        return try await ffi.callAsync { try await $0.therapistViewSummary(from: from, to: to, today: today) }
    }
    /// Brings the server's grants in line with the items marked shared.
    public func refreshSharing() async throws { try await ffi.callAsync { try await $0.refreshSharing() } }

    /// A therapist writes a feedback note for a client; it goes at the next sync.
    @discardableResult
    public func write(_ note: Note) async throws -> StoredNote { try await ffi.call { try $0.writeNote(note: note) } }

    // MARK: Syncing

    /// Pushes, pulls and applies until both sides are in step.
    @discardableResult
    public func syncNow() async throws -> SyncReport { try await ffi.callAsync { try await $0.syncNow() } }

    /// Deletes everything of this account on the server and here, and the
    /// kept session; the other devices and the therapist drop their copies at
    /// their next sync. Offline, nothing is deleted anywhere.
    @discardableResult
    public func deleteEverything() async throws -> Int {
        let deleted = try await ffi.callAsync { Int(try await $0.deleteEverything()) }
        try vault?.clear()
        return deleted
    }

    /// The status now.
    public var currentStatus: SyncStatus {
        get async { await ffi.get { $0.status() } }
    }

    /// The current status, then its changes (idle, syncing with progress,
    /// offline, error with its reason; when it last synced). Only the newest
    /// status waits for a slow consumer (older ones are dropped, as Kotlin's
    /// StateFlow does). Iterating subscribes; ending the iteration or
    /// cancelling its task ends the Rust subscription.
    public var status: AsyncStream<SyncStatus> {
        let ffi = self.ffi
        return AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let forwarder = StatusForwarder(continuation)
            let subscription = Subscription()
            ffi.post { sync in subscription.started(sync.subscribeStatus(observer: forwarder)) }
            continuation.onTermination = { _ in ffi.post { _ in subscription.end() } }
        }
    }

    private func keep(_ session: Session) throws -> Session {
        try vault?.save(session)
        return session
    }
}

/// Forwards Rust's statuses into the stream; `live` counts the forwarders
/// Rust still holds (see ChangeForwarder).
final class StatusForwarder: SyncStatusObserver, Sendable {
    static let live = Locked(0)
    private let continuation: AsyncStream<SyncStatus>.Continuation

    init(_ continuation: AsyncStream<SyncStatus>.Continuation) {
        self.continuation = continuation
        Self.live.withLock { $0 += 1 }
    }

    deinit { Self.live.withLock { $0 -= 1 } }

    func onStatus(status: SyncStatus) {
        continuation.yield(status)
    }
}
