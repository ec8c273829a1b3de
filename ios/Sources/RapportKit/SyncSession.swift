// SyncSession: signing in, care links, sharing and syncing one RecordStore
// with one server, with async/await. The Rust side runs the network work on
// its own threads; awaiting never blocks a thread.
import Foundation
import RapportBindings

public final class SyncSession: Sendable {
    let inner: RapportSync
    public let store: RecordStore

    /// Nothing is sent until a call needs it. `serverURL` is `https://…`
    /// (plain `http://` only to this device); `extraRootCertificatePEM`
    /// trusts a server with its own certificate authority.
    public init(
        store: RecordStore, serverURL: URL, deviceName: String,
        extraRootCertificatePEM: String? = nil
    ) throws {
        self.store = store
        inner = try RapportSync(
            store: store.inner,
            settings: SyncSettings(
                serverUrl: serverURL.absoluteString, deviceName: deviceName,
                extraRootCertificatePem: extraRootCertificatePEM))
    }

    // MARK: Accounts and devices

    /// Creates an account and signs this device in. Keep the session in the
    /// Keychain; it holds the bearer token.
    @discardableResult
    public func signUp(email: String, password: String, role: Role, displayName: String) async throws -> SessionInfo {
        try await inner.signUp(email: email, password: password, role: role, displayName: displayName)
    }

    @discardableResult
    public func signIn(email: String, password: String) async throws -> SessionInfo {
        try await inner.signIn(email: email, password: password)
    }

    /// Uses a session kept in the Keychain from an earlier sign-in.
    public func resume(_ session: SessionInfo) throws { try inner.resume(session: session) }
    public var session: SessionInfo? { inner.session() }
    public func signOut() async throws { try await inner.signOut() }
    public func devices() async throws -> [Device] { try await inner.devices() }
    public func revokeDevice(_ deviceId: String) async throws { try await inner.revokeDevice(deviceId: deviceId) }

    // MARK: Care links and sharing

    /// A client's short-lived, single-use code for the therapist to redeem.
    public func createInvite() async throws -> Invite { try await inner.createInvite() }
    /// A therapist redeems a client's invite.
    @discardableResult
    public func redeemInvite(_ code: String) async throws -> CareLink { try await inner.redeemInvite(code: code) }
    public func links() async throws -> [CareLink] { try await inner.links() }
    public func endLink(_ linkId: String) async throws { try await inner.endLink(linkId: linkId) }

    /// Shares every item of `kind` (present and future) with a linked
    /// therapist; with `person`, only items about that person.
    @discardableResult
    public func share(_ kind: ItemKind, with therapist: String, aboutPerson person: String? = nil) async throws -> Grant {
        try await inner.shareKind(therapist: therapist, kind: kind, personId: person)
    }
    public func grants() async throws -> [Grant] { try await inner.grants() }
    public func revokeGrant(_ grantId: String) async throws { try await inner.revokeGrant(grantId: grantId) }
    /// Every read of this account's items by someone else.
    public func accessLog() async throws -> [AccessLogEntry] { try await inner.accessLog() }
    /// The client's preview of what the therapist will see: the session
    /// summary of only the items shared one by one or through a kind grant.
    public func therapistViewSummary(
        from: Date? = nil, to: Date? = nil, today: Date = Date()
    ) async throws -> SessionSummary {
        try await inner.therapistViewSummary(
            from: from.map { Day.string($0) }, to: to.map { Day.string($0) },
            today: Day.string(today))
    }
    /// Brings the server's grants in line with the items marked shared.
    public func refreshSharing() async throws { try await inner.refreshSharing() }

    /// A therapist writes a feedback note for a client; it goes at the next sync.
    @discardableResult
    public func write(_ note: Note) throws -> StoredNote { try inner.writeNote(note: note) }

    // MARK: Syncing

    /// Pushes, pulls and applies until both sides are in step.
    @discardableResult
    public func syncNow() async throws -> SyncReport { try await inner.syncNow() }

    /// Deletes everything of this account on the server and here; the other
    /// devices and the therapist drop their copies at their next sync.
    /// Offline, nothing is deleted anywhere.
    @discardableResult
    public func deleteEverything() async throws -> Int { Int(try await inner.deleteEverything()) }

    /// The status now.
    public var currentStatus: SyncStatus { inner.status() }

    /// The current status, then every change (idle, syncing with progress,
    /// offline, error with its reason; when it last synced). Iterating
    /// subscribes; ending the iteration or cancelling its task ends it.
    public var status: AsyncStream<SyncStatus> {
        AsyncStream { continuation in
            let handle = inner.subscribeStatus(observer: StatusForwarder(continuation))
            continuation.onTermination = { _ in handle.cancel() }
        }
    }
}

private final class StatusForwarder: SyncStatusObserver, @unchecked Sendable {
    private let continuation: AsyncStream<SyncStatus>.Continuation

    init(_ continuation: AsyncStream<SyncStatus>.Continuation) {
        self.continuation = continuation
    }

    func onStatus(status: SyncStatus) {
        continuation.yield(status)
    }
}
