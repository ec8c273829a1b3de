// Each exported shape works across the FFI in Swift: functions, the typed
// error, a constructor, an async call, a listener seen as an AsyncStream, and
// ending a subscription through its handle. Mirrors the JVM's PipelineProbeTest.
import Foundation
import XCTest

import RapportBindings
@testable import RapportKit

final class PipelineProbeTests: XCTestCase {
    func testTheLoadedLibraryReportsTheCrateVersion() {
        let version = Rapport.coreVersion
        XCTAssertNotNil(version.range(of: #"^\d+\.\d+\.\d+"#, options: .regularExpression), version)
        if let expected = ProcessInfo.processInfo.environment["RAPPORT_EXPECTED_VERSION"] {
            XCTAssertEqual(version, expected)
        }
    }

    func testAMoodFromZeroToTenIsAccepted() throws {
        XCTAssertEqual(try Rapport.checkMood(0), 0)
        XCTAssertEqual(try Rapport.checkMood(10), 10)
    }

    func testAMoodAboveTenThrowsATypedErrorCarryingTheRating() {
        XCTAssertThrowsError(try Rapport.checkMood(11)) { error in
            guard case RapportError.InvalidMood(let rating) = error else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(rating, 11)
        }
        XCTAssertThrowsError(try Rapport.checkMood(1000))
    }

    func testGreetAwaitsTheAnswer() async {
        let greeting = await Greeter(name: "Ada").greet()
        XCTAssertEqual(greeting, "Hello, Ada!")
    }

    func testManyGreetingsRunConcurrently() async {
        let names = (1...50).map { "client \($0)" }
        let greetings = await withTaskGroup(of: (Int, String).self) { group in
            for (index, name) in names.enumerated() {
                group.addTask { (index, await Greeter(name: name).greet()) }
            }
            var all = [String](repeating: "", count: names.count)
            for await (index, greeting) in group {
                all[index] = greeting
            }
            return all
        }
        XCTAssertEqual(greetings, names.map { "Hello, \($0)!" })
    }

    func testTheStreamSendsCurrentIdsThenBatchesAndUnsubscribesOnCancel() async {
        let feed = ChangeFeed()
        feed.publish(["a"])
        let received = AsyncStream<[String]>.makeStream()
        let consumer = Task {
            for await ids in feed.changes() {
                received.continuation.yield(ids)
            }
        }
        var batches = received.stream.makeAsyncIterator()

        let first = await batches.next()
        XCTAssertEqual(first, ["a"])
        XCTAssertEqual(feed.subscriberCount, 1)
        feed.publish(["b", "c"])
        let second = await batches.next()
        XCTAssertEqual(second, ["b", "c"])
        // From another thread, as the sync engine will.
        let thread = Thread { feed.publish(["d"]) }
        thread.start()
        let third = await batches.next()
        XCTAssertEqual(third, ["d"])

        consumer.cancel()
        await consumer.value
        XCTAssertEqual(feed.subscriberCount, 0)
    }

    func testCancellingOrReleasingTheHandleEndsTheSubscription() {
        let feed = RapportBindings.ChangeFeed()
        let listener = Recorder()
        var subscription: Subscription? = feed.subscribe(listener: listener)
        feed.publish(ids: ["x"])
        XCTAssertEqual(feed.subscriberCount(), 1)
        subscription = nil
        XCTAssertNil(subscription)
        XCTAssertEqual(feed.subscriberCount(), 0)
        feed.publish(ids: ["y"])
        XCTAssertEqual(listener.batches, [[], ["x"]])

        // cancel() ends it too, and is idempotent.
        let handle = feed.subscribe(listener: listener)
        handle.cancel()
        handle.cancel()
        XCTAssertEqual(feed.subscriberCount(), 0)
    }
}

private final class Recorder: ChangeListener, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [[String]] = []

    var batches: [[String]] {
        lock.lock()
        defer { lock.unlock() }
        return seen
    }

    func onChange(ids: [String]) {
        lock.lock()
        seen.append(ids)
        lock.unlock()
    }
}
