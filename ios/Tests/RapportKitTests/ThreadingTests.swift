// No call into Rust runs on the main thread, even when the app calls from
// the main actor (as SwiftUI views do): every call goes through FFIChannel,
// whose probe records the thread each call runs on.
import Foundation
import XCTest

@testable import RapportKit

final class ThreadingTests: XCTestCase {
    func testTheProbeSeesACallOnTheMainThread() {
        // XCTest runs a synchronous test on the main thread: the check below
        // would catch a call made here, so the probe is not blind.
        XCTAssertTrue(Thread.isMainThread)
        let before = FFIProbe.current
        FFIProbe.record()
        XCTAssertEqual(FFIProbe.current.onMainThread, before.onMainThread + 1)
    }

    func testCallsFromTheMainActorNeverRunOnTheMainThread() async throws {
        try await Self.useTheWholeAPI()
    }

    /// What a SwiftUI view does: call RapportKit from the main actor.
    @MainActor
    private static func useTheWholeAPI() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let before = FFIProbe.current
        XCTAssertTrue(Thread.isMainThread)

        // The store: open, write, read, search, the clinical views, export.
        let store = try await RecordStore(url: folder.appendingPathComponent("record.db"), key: RecordStore.newKey())
        var changes = store.changes.makeAsyncIterator()
        var rows = store.observe(ListQuery(kinds: [.win])).makeAsyncIterator()
        _ = try await rows.next()
        let sam = try await store.add(Person(nickname: "Sam", ring: .inner))
        let win = try await store.add(Win(occurredAt: moment(4), title: "Asked Sam for help"))
        _ = await changes.next()
        _ = try await rows.next()
        XCTAssertTrue(Thread.isMainThread)
        _ = try await store.win(win.meta.id)
        _ = try await store.list()
        _ = try await store.listPage(ListQuery())
        _ = try await store.ownerOf(win.meta.id)
        _ = try await store.search("Sam")
        _ = try await store.checkIn(Phq9CheckIn(at: moment(5), items: [0, 0, 0, 0, 0, 0, 0, 0, 1]))
        _ = try await store.crisisResources()
        _ = try await store.setDisputeStage(.impasse, with: sam.meta.id)
        _ = try await store.sessionSummary(since: day(1), today: day(6))
        _ = try await store.timeline(since: day(1), until: day(6))
        _ = try await store.exportJson()

        // Sync: sign-up, sync, the therapist-view preview, the status.
        let sync = try await SyncSession(store: store, serverURL: server.url, deviceName: "phone")
        try await sync.signUp(email: "m@example.org", password: "correct horse battery", role: .client, displayName: "M")
        try await sync.syncNow()
        _ = try await sync.therapistViewSummary(since: day(1), until: day(6), today: day(6))
        _ = try await sync.accessLog()
        _ = await sync.currentStatus
        _ = await sync.session
        var statuses = sync.status.makeAsyncIterator()
        _ = await statuses.next()
        XCTAssertTrue(Thread.isMainThread)

        let after = FFIProbe.current
        XCTAssertGreaterThanOrEqual(after.calls - before.calls, 20, "the calls went through the probe")
        XCTAssertEqual(after.onMainThread - before.onMainThread, 0, "calls into Rust on the main thread")
    }
}
