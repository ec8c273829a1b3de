// Two stores sync through a real rapport-server process: a phone and a
// tablet of one client, then a therapist who sees only what was shared.
import Foundation
import XCTest

@testable import RapportKit

final class SyncSessionTests: XCTestCase {
    var server: ServerProcess!
    var folder: URL!

    override func setUpWithError() throws {
        server = try ServerProcess()
        folder = try temporaryFolder()
    }

    override func tearDownWithError() throws {
        server?.stop()
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    private func device(_ name: String) throws -> SyncSession {
        let store = try RecordStore(url: folder.appendingPathComponent("\(name).db"))
        return try SyncSession(store: store, serverURL: server.url, deviceName: name)
    }

    func testTwoStoresSyncThroughARealServer() async throws {
        let phone = try device("phone")
        let tablet = try device("tablet")
        let session = try await phone.signUp(
            email: "ada@example.org", password: "correct horse battery", role: .client, displayName: "Ada")
        XCTAssertEqual(session.role, .client)
        try await tablet.signIn(email: "ada@example.org", password: "correct horse battery")

        // Written offline on each device, then both sync: both see both.
        let win = try phone.store.add(Win(occurredAt: moment(4), title: "Asked Sam for help"))
        let reflection = try tablet.store.add(Reflection(writtenAt: moment(5), text: "Calm moments work"))
        try await phone.syncNow()
        let report = try await tablet.syncNow()
        XCTAssertGreaterThanOrEqual(report.pulled, 1)
        try await phone.syncNow()
        XCTAssertEqual(try tablet.store.win(win.meta.id).win.title, "Asked Sam for help")
        XCTAssertEqual(try phone.store.reflection(reflection.meta.id).reflection.text, "Calm moments work")

        let devices = try await phone.devices()
        XCTAssertEqual(devices.count, 2)
        XCTAssertEqual(devices.filter(\.current).count, 1)
    }

    func testTheStatusStreamSendsTheCurrentStatusThenProgressAndTheLastSync() async throws {
        let phone = try device("phone")
        var statuses = phone.status.makeAsyncIterator()
        let first = await statuses.next()
        XCTAssertEqual(first?.state, .idle)
        XCTAssertNil(first?.lastSyncedAt)

        try await phone.signUp(email: "b@example.org", password: "correct horse battery", role: .client, displayName: "B")
        try phone.store.add(Win(occurredAt: moment(4), title: "Went to the party"))
        try await phone.syncNow()
        var seen: [SyncStatus] = []
        while let status = await statuses.next() {
            seen.append(status)
            if status.state == .idle, status.lastSyncedAt != nil { break }
        }
        XCTAssertTrue(seen.contains { if case .syncing = $0.state { return true } else { return false } }, "\(seen)")
        XCTAssertEqual(phone.currentStatus, seen.last)
    }

    func testATherapistSeesWhatTheClientSharedAndErrorsAreTyped() async throws {
        let client = try device("client")
        let therapist = try device("therapist")
        try await client.signUp(email: "c@example.org", password: "correct horse battery", role: .client, displayName: "C")
        try await therapist.signUp(email: "t@example.org", password: "correct horse battery", role: .therapist, displayName: "Dr T")
        let invite = try await client.createInvite()
        let link = try await therapist.redeemInvite(invite.code)
        let links = try await client.links()
        XCTAssertEqual(links, [link])

        let shared = try client.store.add(Win(occurredAt: moment(4), title: "Shared win"))
        let privateWin = try client.store.add(Win(occurredAt: moment(5), title: "Private win"))
        try client.store.setShared(shared.meta.id, true)
        try await client.syncNow()
        try await therapist.syncNow()
        XCTAssertEqual(try therapist.store.win(shared.meta.id).win.title, "Shared win")
        XCTAssertThrowsError(try therapist.store.win(privateWin.meta.id))

        // The client's preview of the therapist's view holds the shared win only.
        let (first, last) = (moment(4), moment(5))
        let preview = try await client.therapistViewSummary(from: first, to: last, today: last)
        XCTAssertEqual(preview.wins.map(\.title), ["Shared win"])
        let own = try client.store.sessionSummary(from: first, to: last, today: last)
        XCTAssertEqual(Set(own.wins.map(\.title)), ["Shared win", "Private win"])

        do {
            try await therapist.signIn(email: "t@example.org", password: "wrong password")
            XCTFail("signed in with a wrong password")
        } catch let error as SyncError {
            guard case .BadCredentials = error else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(error.message, "wrong email or password")
        }
    }
}
