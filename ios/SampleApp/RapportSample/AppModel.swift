import Foundation
import Observation
import RapportKit

/// The app's state: the record on the device, the sync session and its status.
@MainActor
@Observable
final class AppModel {
    private(set) var store: RecordStore?
    private(set) var openError: String?
    private(set) var sync: SyncSession?
    private(set) var status: SyncStatus?
    var syncError: String?

    private var statusTask: Task<Void, Never>?

    /// Opens the record in Application Support (excluded from backups).
    func open() {
        guard store == nil else { return }
        do {
            var folder = try FileManager.default.url(
                for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            var values = URLResourceValues()
            values.isExcludedFromBackup = true
            try folder.setResourceValues(values)
            // Encrypted at rest with a key the Keychain keeps.
            store = try RecordStore(
                url: folder.appendingPathComponent("record.db"), key: DatabaseKeychain.key())
        } catch let error as StoreError {
            openError = error.message
        } catch {
            openError = error.localizedDescription
        }
    }

    /// Connects to the user's own sync server and follows its status. The
    /// session comes from the Keychain when there is one (see `Keychain`).
    func connect(serverURL: URL, email: String, password: String, signUp: Bool) async {
        guard let store else { return }
        do {
            let session = try SyncSession(store: store, serverURL: serverURL, deviceName: deviceName)
            let info = signUp
                ? try await session.signUp(email: email, password: password, role: .client, displayName: email)
                : try await session.signIn(email: email, password: password)
            Keychain.save(info)
            follow(session)
            try await session.syncNow()
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

/// Where the session (it holds the bearer token) is kept. A real app stores
/// it in the Keychain (kSecClassGenericPassword); elided in the sample.
enum Keychain {
    static func save(_ session: SessionInfo) {}
}
