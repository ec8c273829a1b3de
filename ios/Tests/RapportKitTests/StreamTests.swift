// A stream (changes, an observed list) ends its Rust subscription when its
// consumer stops: cancelled, or leaving the loop. Rust then drops the Swift
// observer (the forwarder count falls back), so nothing keeps calling into a
// stream nobody reads.
import Foundation
import XCTest

@testable import RapportKit

final class StreamTests: XCTestCase {
    var folder: URL!
    var store: RecordStore!

    override func setUp() async throws {
        folder = try temporaryFolder()
        store = try await RecordStore(url: folder.appendingPathComponent("record.db"))
        await eventually(5, "no stream of an earlier test is alive") {
            liveChangeForwarders() == 0 && liveQueryReaders() == 0
        }
    }

    override func tearDown() async throws {
        store = nil
        try? FileManager.default.removeItem(at: folder)
    }

    func testCancellingTheConsumerEndsTheRustSubscription() async throws {
        let store = self.store!
        let consumer = Task {
            var batches = 0
            for await _ in store.changes { batches += 1 }
            return batches
        }
        await eventually(5, "the subscription is made") { liveChangeForwarders() == 1 }
        try await store.add(Win(occurredAt: moment(4), title: "Called Mum"))
        consumer.cancel()
        _ = await consumer.value  // the loop ended
        await eventually(5, "Rust dropped the observer") { liveChangeForwarders() == 0 }
        // Writes go on, with nobody subscribed.
        try await store.add(Win(occurredAt: moment(5), title: "Called Dad"))
        XCTAssertEqual(liveChangeForwarders(), 0)
    }

    func testLeavingTheLoopEndsTheRustSubscription() async throws {
        let store = self.store!
        let consumer = Task {
            for await batch in store.changes { return batch.map(\.kind) }
            return []
        }
        await eventually(5, "the subscription is made") { liveChangeForwarders() == 1 }
        try await store.add(Win(occurredAt: moment(4), title: "Called Mum"))
        await assertEqual(await consumer.value, [.win])
        await eventually(5, "Rust dropped the observer") { liveChangeForwarders() == 0 }
    }

    func testAStreamEndedBeforeItsSubscriptionWasMadeStillUnsubscribes() async throws {
        let store = self.store!
        let consumer = Task {
            for await _ in store.changes {}
        }
        consumer.cancel()  // possibly before the subscription reached the queue
        await consumer.value
        await eventually(5, "Rust dropped the observer") { liveChangeForwarders() == 0 }
    }

    func testLeavingAnObservedListEndsTheRustSubscription() async throws {
        let store = self.store!
        let consumer = Task {
            var seen: [[String]] = []
            for try await rows in store.observe(ListQuery(kinds: [.win])) {
                seen.append(rows.map(\.title))
                if rows.count == 1 { break }
            }
            return seen
        }
        await eventually(5, "the subscription is made") { liveQueryReaders() == 1 }
        try await store.add(Win(occurredAt: moment(4), title: "Called Mum"))
        let seen = try await consumer.value
        XCTAssertEqual(seen.first, [], "the current rows came first")
        XCTAssertEqual(seen.last, ["Called Mum"])
        await eventually(5, "Rust dropped the reader") { liveQueryReaders() == 0 }
    }

    func testCancellingAnObservedListEndsTheRustSubscription() async throws {
        let store = self.store!
        let consumer = Task {
            for try await _ in store.observe() {}
        }
        await eventually(5, "the subscription is made") { liveQueryReaders() == 1 }
        consumer.cancel()
        _ = await consumer.result
        await eventually(5, "Rust dropped the reader") { liveQueryReaders() == 0 }
        try await store.add(Win(occurredAt: moment(5), title: "Called Dad"))
        XCTAssertEqual(liveQueryReaders(), 0)
    }
}
