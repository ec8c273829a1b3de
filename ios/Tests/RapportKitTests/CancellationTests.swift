// Cancelling the Swift Task that awaits a network call cancels the Rust work:
// a cancelled sign-in throws CancellationError at once and never completes,
// neither on the device nor on the real server.
import Foundation
import XCTest

@testable import RapportKit

final class CancellationTests: XCTestCase {
    func testACancelledSignInDoesNotComplete() async throws {
        // Slow password hashing, so that the sign-in is still on the server
        // when the cancel comes.
        let server = try ServerProcess(argon2MemoryKiB: 131_072)
        defer { server.stop() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func device(_ name: String) async throws -> SyncSession {
            let store = try await RecordStore(url: folder.appendingPathComponent("\(name).db"))
            return try await SyncSession(store: store, serverURL: server.url, deviceName: name)
        }
        let (email, password) = ("k@example.org", "correct horse battery")
        let phone = try await device("phone")
        let started = Date()
        try await phone.signUp(email: email, password: password, role: .client, displayName: "K")
        let hashing = Date().timeIntervalSince(started)  // about one password hash

        let tablet = try await device("tablet")
        let signIn = Task { try await tablet.signIn(email: email, password: password) }
        try await Task.sleep(nanoseconds: UInt64(hashing * 0.3 * 1e9))
        let cancelledAt = Date()
        signIn.cancel()
        let result = await signIn.result
        let waited = Date().timeIntervalSince(cancelledAt)
        switch result {
        case .success(let session): XCTFail("a cancelled sign-in completed: \(session)")
        case .failure(let error): XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertLessThan(waited, hashing * 0.5, "the cancel did not wait for the sign-in")

        // Long after the server would have finished: no session on the
        // tablet, no second device on the account.
        try await Task.sleep(nanoseconds: UInt64(hashing * 2 * 1e9))
        await assertNil(await tablet.session)
        await assertEqual(try await phone.devices().count, 1, "the cancelled sign-in added a device")

        // The same sign-in, not cancelled, does complete; with the kit the
        // tablet syncs.
        try await tablet.signIn(email: email, password: password)
        await assertEqual(try await phone.devices().count, 2)
        try await tablet.useRecoveryKit(try await phone.recoveryKit())
        try await tablet.syncNow()
    }
}
