// Two stores sync through a real rapport-server process: a phone and a
// tablet of one client, then a therapist who sees only what was shared and
// whose note is read-only on the client's phone; the server's refusals and
// the record's are typed values.
import Foundation
import XCTest

@testable import RapportKit

final class SyncSessionTests: ServerTestCase {
    override func tearDown() async throws {
        await eventually(5, "every stream of the test ended in Rust") { liveStatusForwarders() == 0 }
        try await super.tearDown()
    }

    func testTwoStoresSyncThroughARealServer() async throws {
        let phone = try await device("phone")
        let tablet = try await device("tablet")
        let session = try await phone.signUp(
            email: "ada@example.org", password: "correct horse battery", role: .client, displayName: "Ada")
        XCTAssertEqual(session.role, .client)
        try await tablet.signIn(email: "ada@example.org", password: "correct horse battery")
        // Signed in but without the account key, the tablet can seal and open nothing.
        await assertThrows(try await tablet.syncNow()) { error in
            guard case SyncError.NoAccountKey = error else { return XCTFail("unexpected \(error)") }
        }
        try await tablet.useRecoveryKit(try await phone.recoveryKit())

        // Written offline on each device, then both sync: both see both.
        let win = try await phone.store.add(Win(occurredAt: moment(4), title: "Asked Sam for help"))
        let reflection = try await tablet.store.add(Reflection(writtenAt: moment(5), text: "Calm moments work"))
        try await phone.syncNow()
        let report = try await tablet.syncNow()
        XCTAssertGreaterThanOrEqual(report.pulled, 1)
        try await phone.syncNow()
        await assertEqual(try await tablet.store.win(win.meta.id).win.title, "Asked Sam for help")
        await assertEqual(try await phone.store.reflection(reflection.meta.id).reflection.text, "Calm moments work")

        let devices = try await phone.devices()
        XCTAssertEqual(devices.count, 2)
        XCTAssertEqual(devices.filter(\.current).count, 1)
    }

    func testTheStatusStreamSendsTheCurrentStatusThenProgressAndTheLastSync() async throws {
        let phone = try await device("phone")
        let statuses = phone.status
        // A consumer that keeps up sees the progress (it awaits each status).
        let watcher = Task {
            var seen: [SyncStatus] = []
            for await status in statuses {
                seen.append(status)
                if status.state == .idle, status.lastSyncedAt != nil { break }
            }
            return seen
        }
        await eventually(5, "the status subscription is made") { liveStatusForwarders() == 1 }

        try await phone.signUp(email: "b@example.org", password: "correct horse battery", role: .client, displayName: "B")
        try await phone.store.add(Win(occurredAt: moment(4), title: "Went to the party"))
        try await phone.syncNow()
        let seen = await watcher.value
        XCTAssertEqual(seen.first?.state, .idle)
        XCTAssertNil(seen.first?.lastSyncedAt)
        XCTAssertTrue(seen.contains { if case .syncing = $0.state { return true } else { return false } }, "\(seen)")
        await assertEqual(await phone.currentStatus, seen.last)
    }

    func testTheStatusStreamKeepsOnlyTheNewestStatusForASlowConsumer() async throws {
        let phone = try await device("phone")
        // Subscribed, but nobody reads while the statuses change.
        var statuses = phone.status.makeAsyncIterator()
        await eventually(5, "the status subscription is made") { liveStatusForwarders() == 1 }
        try await phone.signUp(email: "s@example.org", password: "correct horse battery", role: .client, displayName: "S")
        try await phone.store.add(Win(occurredAt: moment(4), title: "Went to the party"))
        try await phone.syncNow()
        await eventually(5, "the last status is the synced one") { await phone.currentStatus.lastSyncedAt != nil }
        try await Task.sleep(nanoseconds: 100_000_000)  // for Rust's last call into the stream
        // The first status read is the newest one, not the idle-never-synced
        // status sent at subscription nor the progress in between.
        let next = await statuses.next()
        XCTAssertEqual(next?.state, .idle)
        XCTAssertNotNil(next?.lastSyncedAt)
        await assertEqual(await phone.currentStatus, next)
    }

    func testATherapistSeesWhatTheClientSharedAndErrorsAreTyped() async throws {
        let client = try await device("client")
        let therapist = try await device("therapist")
        try await client.signUp(email: "c@example.org", password: "correct horse battery", role: .client, displayName: "C")
        let therapistSession = try await therapist.signUp(
            email: "t@example.org", password: "correct horse battery", role: .therapist, displayName: "Dr T")
        let invite = try await client.createInvite()
        let link = try await therapist.redeemInvite(invite.code)
        let links = try await client.links()
        XCTAssertEqual(links, [link])

        let shared = try await client.store.add(Win(occurredAt: moment(4), title: "Shared win"))
        let privateWin = try await client.store.add(Win(occurredAt: moment(5), title: "Private win"))
        try await client.store.setShared(shared.meta.id, true)
        try await client.syncNow()
        try await therapist.syncNow()
        await assertEqual(try await therapist.store.win(shared.meta.id).win.title, "Shared win")
        await assertThrows(try await therapist.store.win(privateWin.meta.id))

        // The client's preview of the therapist's view holds the shared win only.
        try await client.store.setTimeZone("UTC")
        let preview = try await client.therapistViewSummary(since: day(4), until: day(5), today: day(5))
        XCTAssertEqual(preview.wins.map(\.title), ["Shared win"])
        XCTAssertEqual(preview.range, DateRange(start: day(4), end: day(6)))
        let own = try await client.store.sessionSummary(since: day(4), until: day(5), today: day(5))
        XCTAssertEqual(Set(own.wins.map(\.title)), ["Shared win", "Private win"])

        // The therapist's note on the shared win reaches the client read-only.
        let note = try await therapist.writeNote(Note(
            clientId: link.client, subject: .item(id: shared.meta.id), text: "Well done", writtenAt: moment(6)))
        try await therapist.syncNow()
        try await client.syncNow()
        await assertEqual(try await client.store.note(note.meta.id).note.text, "Well done")
        await assertEqual(try await client.store.ownerOf(note.meta.id), therapistSession.accountId)
        await assertThrows(try await client.store.delete(note.meta.id)) { error in
            guard case StoreError.ReadOnly(_, let id, let owner) = error else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(id, note.meta.id)
            XCTAssertEqual(owner, therapistSession.accountId)
        }
        await assertEqual(try await client.store.note(note.meta.id).note.text, "Well done", "nothing was deleted")

        do {
            try await therapist.signIn(email: "t@example.org", password: "wrong password")
            XCTFail("signed in with a wrong password")
        } catch let error as SyncError {
            guard case .BadCredentials = error else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(error.message, "wrong email or password")
        }
    }

    func testTheServersRefusalCarriesItsProtocolCode() async throws {
        let client = try await device("client")
        let therapist = try await device("therapist")
        try await client.signUp(email: "rc@example.org", password: "correct horse battery", role: .client, displayName: "C")
        try await therapist.signUp(email: "rt@example.org", password: "correct horse battery", role: .therapist, displayName: "T")
        // The status now, as Kotlin's currentStatus(): idle before any sync.
        let now = await client.currentStatus()
        XCTAssertEqual(now.state, .idle)
        XCTAssertNil(now.lastSyncedAt)
        // Not a code at all: a bad request.
        await assertThrows(try await therapist.redeemInvite("bogus")) { error in
            guard case SyncError.Refused(let code, let message) = error else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(code, .badRequest)
            XCTAssertTrue(message.contains("letters and digits"), message)
        }
        // A code nobody made, then a real one used twice: the same refusal.
        await assertThrows(try await therapist.redeemInvite("ABCDE-23456")) { error in
            guard case SyncError.Refused(let code, let message) = error else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(code, .notFound)
            XCTAssertTrue(message.contains("cannot be used"), message)
        }
        let invite = try await client.createInvite()
        try await therapist.redeemInvite(invite.code)
        await assertThrows(try await therapist.redeemInvite(invite.code)) { error in
            guard case SyncError.Refused(code: .notFound, _) = error else { return XCTFail("unexpected \(error)") }
        }
        // A client cannot redeem: forbidden, by its code too.
        await assertThrows(try await client.redeemInvite(try await client.createInvite().code)) { error in
            guard case SyncError.Refused(code: .forbidden, _) = error else { return XCTFail("unexpected \(error)") }
        }
    }
}
