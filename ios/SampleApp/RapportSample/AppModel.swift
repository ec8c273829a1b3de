import Foundation
import Observation
import RapportKit

/// The app's state: the record on the device, the sync session and its
/// status. Main actor; every RapportKit call is awaited (RapportKit runs it
/// off the main thread).
@MainActor
@Observable
final class AppModel {
    private(set) var store: RecordStore?
    private(set) var openError: String?
    private(set) var sync: SyncSession?
    private(set) var status: SyncStatus?
    var syncError: String?
    /// A new account's recovery kit, shown once right after sign-up.
    var newRecoveryKit: String?
    /// Signed in, but this phone has no account key yet: it asks for the
    /// recovery kit or for pairing.
    private(set) var needsAccountKey = false

    private var statusTask: Task<Void, Never>?
    private var zoneObserver: NSObjectProtocol?
    private let vault = KeychainSessionVault()
    private static let serverKey = "syncServerURL"

    /// Opens the record in Application Support (excluded from backups),
    /// tells the core the device's region and time zone, and resumes the
    /// session the Keychain keeps.
    func open() async {
        guard store == nil else { return }
        do {
            var folder = try FileManager.default.url(
                for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            var values = URLResourceValues()
            values.isExcludedFromBackup = true
            try folder.setResourceValues(values)
            // Encrypted at rest with a key the Keychain keeps.
            let store = try await RecordStore(
                url: folder.appendingPathComponent("record.db"), key: DatabaseKeychain.key())
            self.store = store
            await tellTheDevicesPlace(store)
            zoneObserver = NotificationCenter.default.addObserver(
                forName: .NSSystemTimeZoneDidChange, object: nil, queue: .main
            ) { [weak self] _ in
                Task { @MainActor in
                    if let self, let store = self.store { await self.tellTheDevicesPlace(store) }
                }
            }
            await resumeSync(store)
        } catch let error as StoreError {
            openError = error.message
        } catch {
            openError = error.localizedDescription
        }
    }

    /// The region picks the default crisis lines; the zone cuts the days.
    private func tellTheDevicesPlace(_ store: RecordStore) async {
        do {
            if let region = Locale.current.region?.identifier { try await store.setRegion(region) }
            try await store.setTimeZone(TimeZone.current.identifier)
        } catch let error as StoreError {
            syncError = error.message
        } catch {
            syncError = error.localizedDescription
        }
    }

    /// Crisis resources: the alert's, or the record's (own first, then the
    /// region's defaults). If the record cannot be read, a plain instruction
    /// (never a made-up number).
    func crisisResources(alert: SafetyAlert?) async -> [CrisisResource] {
        if let alert { return alert.resources }
        if let store, let resources = try? await store.crisisResources(), !resources.isEmpty { return resources }
        return [CrisisResource(name: "Call your local emergency number", contact: .instruction,
                               hours: "", region: nil)]
    }

    /// At launch: the server the user connected to, and the kept session.
    private func resumeSync(_ store: RecordStore) async {
        guard let address = UserDefaults.standard.string(forKey: Self.serverKey),
              let url = URL(string: address) else { return }
        do {
            let session = try await SyncSession(store: store, serverURL: url, deviceName: deviceName, vault: vault)
            // Hands over the account key the Keychain keeps, then the session.
            if try await session.resumeSavedSession() != nil {
                follow(session)
                needsAccountKey = await session.accountKey() == nil
                await syncNow()
            }
        } catch let error as SyncError {
            syncError = error.message
        } catch {
            syncError = error.localizedDescription
        }
    }

    /// Connects to the user's own sync server; the session and the account
    /// key go to the Keychain (KeychainSessionVault) and are handed back at
    /// the next launch. Sign-up makes the account key and shows its kit once;
    /// sign-in takes the key from a typed kit (checked before anything is
    /// sent), else from this phone's Keychain, else waits for the kit or
    /// pairing (`needsAccountKey`).
    func connect(serverURL: URL, email: String, password: String, signUp: Bool, recoveryKit: String = "") async {
        guard let store else { return }
        do {
            let session = try await SyncSession(store: store, serverURL: serverURL, deviceName: deviceName, vault: vault)
            if signUp {
                try await session.signUp(email: email, password: password, role: .client, displayName: email)
                newRecoveryKit = try await session.recoveryKit()
            } else {
                if !recoveryKit.isEmpty {
                    try await session.useRecoveryKit(recoveryKit)
                } else if let kept = try vault.loadAccountKey() {
                    try await session.useAccountKey(kept)
                }
                try await session.signIn(email: email, password: password)
            }
            UserDefaults.standard.set(serverURL.absoluteString, forKey: Self.serverKey)
            follow(session)
            needsAccountKey = await session.accountKey() == nil
            if !needsAccountKey { try await session.syncNow() }
        } catch is CancellationError {
            // The user left the screen: nothing was kept.
        } catch let error as SyncError {
            syncError = error.message
        } catch {
            syncError = error.localizedDescription
        }
    }

    func syncNow() async {
        guard let sync else { return }
        do {
            try await sync.syncNow()
            syncError = nil
        } catch let error as SyncError {
            // Offline is normal: the status shows it and local writes are kept.
            syncError = error.isOffline ? nil : error.message
        } catch {
            syncError = error.localizedDescription
        }
    }

    // MARK: The account key

    /// Takes the account key from a typed recovery kit (kept in the Keychain
    /// by RapportKit), then syncs.
    func useRecoveryKit(_ kit: String) async throws {
        guard let sync else { return }
        try await sync.useRecoveryKit(kit)
        needsAccountKey = false
        await syncNow()
    }

    /// Takes the account key from the server's passphrase backup (kept in
    /// the Keychain by RapportKit), then syncs.
    func restoreAccountKey(passphrase: String) async throws {
        guard let sync else { throw SyncError.SignedOut(expired: false) }
        try await sync.restoreAccountKey(passphrase: passphrase)
        needsAccountKey = false
        await syncNow()
    }

    /// The new phone takes the key the other phone sealed to `offer` (its
    /// text, pasted or typed) and returns the code to compare. The core keeps
    /// the key at once: `rejectPairing()` undoes that when the codes differ.
    func acceptPairing(_ offer: PairingOffer, sealedText: String) async throws -> String {
        guard let sync else { throw SyncError.SignedOut(expired: false) }
        guard let sealed = Data(base64Encoded: sealedText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw SyncError.Sealing(reason: "That is not the text the other phone shows; copy it again.")
        }
        let code = try await sync.acceptPairing(offer, sealed: sealed)
        needsAccountKey = false
        return code
    }

    /// The codes differ: forget the key this phone just took and the session
    /// holding it; the person signs in again.
    func rejectPairing() async {
        try? vault.clearAccountKey()
        try? await sync?.signOut()
        forgetSync()
        syncError = "The codes did not match, so this phone kept nothing. Sign in and try again."
    }

    /// On a phone that has the key: the text to give the new phone, and the
    /// code both phones show.
    func sealForPairing(offer: String) async throws -> (sealed: String, code: String) {
        guard let sync else { throw SyncError.SignedOut(expired: false) }
        let seal = try await sync.sealForPairing(offer: offer)
        return (seal.sealed.base64EncodedString(), seal.code)
    }

    /// After "delete everything" (or a refused pairing): the session and the
    /// server address go too; the vault already dropped the account key with
    /// the account.
    func forgetSync() {
        statusTask?.cancel()
        sync = nil
        status = nil
        needsAccountKey = false
        UserDefaults.standard.removeObject(forKey: Self.serverKey)
    }

    private func follow(_ session: SyncSession) {
        sync = session
        statusTask?.cancel()
        statusTask = Task { [weak self] in
            for await status in session.status {
                self?.status = status
            }
        }
    }

    private var deviceName: String {
        ProcessInfo.processInfo.hostName
    }
}
