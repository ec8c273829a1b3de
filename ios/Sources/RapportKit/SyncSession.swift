// SyncSession: signing in, care links, sharing and syncing one RecordStore
// with one server, with async/await. The Rust side runs the network work on
// its own threads; awaiting never blocks a thread, no call runs on the
// caller's thread (FFIChannel), and cancelling the awaiting task cancels the
// Rust work.
//
// The method names are Kotlin's SyncSession's (android/lib), with Swift labels.
import Foundation
import RapportBindings
import RapportDay

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
        // A new account's key is made here: keep it beside the session.
        try await keepAccountKey()
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

    /// At launch: hands over the account key kept in the vault, then resumes
    /// the session kept there, if there is one, and returns it. A kept
    /// session the library refuses is removed (the account key stays).
    @discardableResult
    public func resumeSavedSession() async throws -> Session? {
        if let key = try vault?.loadAccountKey() {
            let bytes = key.bytes
            try await ffi.call { try $0.useAccountKey(key: bytes) }
        }
        guard let saved = try vault?.load() else { return nil }
        do {
            try await resume(saved)
        } catch let error as SyncError {
            try vault?.clear()
            throw error
        }
        // A replacement of the account key that stopped half-way is finished
        // before anything syncs.
        if let pending = try vault?.loadPendingAccountKey() {
            try await finishReplacement(pending)
        }
        return saved
    }

    /// The signed-in session, if any.
    public var session: Session? {
        get async { await ffi.get { $0.session() }.map(Session.init) }
    }

    /// The sync status now (`status` streams it and its changes).
    public func currentStatus() async -> SyncStatus {
        await ffi.get { $0.status() }
    }

    /// Signs this device out on the server and forgets the kept session.
    public func signOut() async throws {
        try await ffi.callAsync { try await $0.signOut() }
        try vault?.clear()
    }

    // MARK: The account key

    /// The account key, if this device has one (after sign-up, a recovery
    /// kit, pairing or the passphrase backup). RapportKit keeps it in the
    /// vault itself; this is for an app that keeps it elsewhere.
    public func accountKey() async -> AccountKey? {
        await ffi.get { $0.accountKey() }.map(AccountKey.init(secretData:))
    }

    /// Hands over an account key kept outside the vault (the vault's own is
    /// handed over by `resumeSavedSession()`); it goes to the vault too.
    /// Anything but 32 bytes is `SyncError.Sealing`.
    public func useAccountKey(_ key: AccountKey) async throws {
        let bytes = key.bytes
        try await ffi.call { try $0.useAccountKey(key: bytes) }
        try await keepAccountKey()
    }

    /// The account key as a recovery kit to write down (58 characters in
    /// groups of four). Show it behind the app lock: whoever has it can read
    /// everything this account synced.
    public func recoveryKit() async throws -> String { try await ffi.call { try $0.recoveryKit() } }

    /// Takes the account key from a recovery kit typed on this device (and
    /// keeps it in the vault). A typo is `SyncError.Sealing` and a kit of
    /// another account `SyncError.WrongAccountKey` (checked with the server
    /// when signed in); either changes nothing.
    public func useRecoveryKit(_ kit: String) async throws {
        try await ffi.callAsync { try await $0.useRecoveryKit(kit: kit) }
        try await keepAccountKey()
    }

    /// On a device that has the key: seals it to a new device's offer
    /// (scanned or typed from that device's screen, never sent through the
    /// server). Give the new device `sealed`; both show `code`.
    public func sealForPairing(offer: String) async throws -> PairingSeal {
        let offer = offer.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await ffi.call { try $0.sealForPairing(offer: offer) }
    }

    /// On the new device, signed in to the same account: takes the account
    /// key the other device sealed to `offer` (and keeps it in the vault);
    /// returns the code to compare with the other device's.
    public func acceptPairing(_ offer: PairingOffer, sealed: Data) async throws -> String {
        let code = try await ffi.call(with: offer.ffi) { try $0.acceptPairing(request: $1, sealed: sealed) }
        try await keepAccountKey()
        return code
    }

    /// The safety number of this account and a linked one (four groups of
    /// five digits): client and therapist compare theirs in session.
    public func safetyNumber(with accountId: AccountId) async throws -> String {
        try await ffi.callAsync { try await $0.safetyNumber(accountId: accountId) }
    }

    /// A new random account key, for `replaceAccountKey(_:)`.
    public static func newAccountKey() -> AccountKey {
        AccountKey(secretData: RapportBindings.newAccountKey())
    }

    /// After a lost device was revoked (`revokeDevice(_:)`): replaces the
    /// account key with `next` (from `newAccountKey()`), so nothing written
    /// from now on opens with the key the lost device holds, even with a copy
    /// of the server's database. The vault keeps `next` as pending first, and
    /// `resumeSavedSession()` finishes a replacement the app stopped in
    /// half-way. Then show the new `recoveryKit()` and offer a new backup:
    /// the old kit opens nothing new and the server deleted the backup. The
    /// account's other devices get `SyncError.AccountKeyReplaced` until paired
    /// again or given the new kit; what they wrote meanwhile is kept. The
    /// safety number changes.
    public func replaceAccountKey(_ next: AccountKey) async throws {
        try vault?.savePendingAccountKey(next)
        try await finishReplacement(next)
    }

    private func finishReplacement(_ next: AccountKey) async throws {
        let bytes = next.bytes
        try await ffi.callAsync { try await $0.replaceAccountKey(next: bytes) }
        try vault?.saveAccountKey(next)
        try vault?.clearPendingAccountKey()
    }

    /// Keeps the account key on the server sealed under `passphrase` (the
    /// server cannot open it; a forgotten passphrase cannot be reset).
    public func backUpAccountKey(passphrase: String) async throws {
        try await ffi.callAsync { try await $0.backUpAccountKey(passphrase: passphrase) }
    }

    /// Takes the account key from the server's passphrase backup (and keeps
    /// it in the vault). A wrong passphrase is `SyncError.Sealing`.
    public func restoreAccountKey(passphrase: String) async throws {
        try await ffi.callAsync { try await $0.restoreAccountKey(passphrase: passphrase) }
        try await keepAccountKey()
    }

    private func keepAccountKey() async throws {
        guard let vault, let key = await accountKey() else { return }
        try vault.saveAccountKey(key)
    }

    // MARK: Devices

    public func devices() async throws -> [Device] { try await ffi.callAsync { try await $0.devices() } }
    public func revokeDevice(_ deviceId: DeviceId) async throws {
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
    public func endLink(_ linkId: LinkId) async throws { try await ffi.callAsync { try await $0.endLink(linkId: linkId) } }

    /// Shares every item of `kind` (present and future) with a linked
    /// therapist; with `person`, only items about that person. The grant's
    /// scope is `.kind(kind:tag:)`; an item shared one by one
    /// (`RecordStore.setShared`) is a `.document(docId:)` grant.
    @discardableResult
    public func shareKind(_ kind: DocKind, with therapist: AccountId, aboutPerson person: ItemId? = nil) async throws -> Grant {
        try await ffi.callAsync { try await $0.shareKind(therapist: therapist, kind: kind, personId: person) }
    }
    public func grants() async throws -> [Grant] { try await ffi.callAsync { try await $0.grants() } }
    public func revokeGrant(_ grantId: GrantId) async throws {
        try await ffi.callAsync { try await $0.revokeGrant(grantId: grantId) }
    }
    /// Every read of this account's items by someone else ("who read my data").
    public func accessLog() async throws -> [AccessLogEntry] { try await ffi.callAsync { try await $0.accessLog() } }
    /// The client's preview of what the therapist will see: the session
    /// summary of only the items shared one by one or through a kind grant
    /// (days as in `RecordStore.sessionSummary`).
    public func therapistViewSummary(
        since: CalendarDay? = nil, until: CalendarDay? = nil, today: CalendarDay = .today()
    ) async throws -> SessionSummary {
        try await ffi.callAsync { try await $0.therapistViewSummary(since: since, until: until, today: today) }
    }
    /// Brings the server's grants in line with the items marked shared.
    public func refreshSharing() async throws { try await ffi.callAsync { try await $0.refreshSharing() } }

    /// A therapist writes a feedback note for a client; it goes at the next sync.
    @discardableResult
    public func writeNote(_ note: Note) async throws -> StoredNote { try await ffi.call { try $0.writeNote(note: note) } }

    // MARK: Syncing

    /// Pushes, pulls and applies until both sides are in step.
    @discardableResult
    public func syncNow() async throws -> SyncCounts { try await ffi.callAsync { try await $0.syncNow() } }

    /// Deletes everything of this account on the server and here, and the
    /// kept session; the other devices and the therapist drop their copies at
    /// their next sync. Offline, nothing is deleted anywhere.
    @discardableResult
    public func deleteEverything() async throws -> Int {
        let deleted = try await ffi.callAsync { Int(try await $0.deleteEverything()) }
        try vault?.clear()
        try vault?.clearAccountKey()
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
