// The clinical layer from Swift: "since we last met" and an export imported
// into an empty store.
import Foundation
import XCTest

@testable import RapportKit

final class ClinicalTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try temporaryFolder()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func filledStore(_ name: String) throws -> RecordStore {
        let store = try RecordStore(url: folder.appendingPathComponent(name))
        let sam = try store.add(Person(nickname: "Sam", relationship: "partner", ring: .inner))
        try store.add(Interaction(personId: sam.meta.id, occurredAt: moment(4, hour: 12), channel: .inPerson,
                                  initiatedBy: .me, whatIWanted: "Share the chores", moodBefore: 5, moodAfter: 3,
                                  relationship: .worse))
        try store.checkIn(MoodCheckIn(at: moment(4, hour: 20), rating: 2, event: "Argument about chores"))
        try store.add(Win(occurredAt: moment(6), title: "Asked Sam for help"))
        try store.checkInPHQ9([2, 2, 1, 1, 1, 1, 1, 1, 0], at: moment(3))
        try store.checkInPHQ9([1, 1, 1, 1, 1, 1, 1, 0, 1], at: moment(10))
        try store.save(AfterCarePlan(warningSigns: ["sleeping badly for a week"], planForAfter: "Call Sam on Sundays"))
        return store
    }

    func testTheSessionSummaryLinksMoodDipsToInteractionsAndFlagsItem9() throws {
        let store = try filledStore("a.db")
        let summary = try store.sessionSummary(from: moment(1), today: moment(14))
        XCTAssertNil(summary.clientId)
        XCTAssertEqual(summary.range.to, Day.string(moment(14)))
        XCTAssertEqual(summary.wins.map(\.title), ["Asked Sam for help"])
        XCTAssertEqual(summary.phq9.map(\.total), [10, 8])
        XCTAssertEqual(summary.phq9Change, -2)
        XCTAssertEqual(summary.safetyFlags.map(\.reason), [.phq9Item9])
        let lowest = try XCTUnwrap(summary.lowPoints.first { $0.point.rating == 2 })
        XCTAssertEqual(lowest.behind.map(\.whatIWanted), ["Share the chores"])
        guard case .initial(let emphasis) = summary.emphasis else {
            return XCTFail("a new record is in the initial phase: \(summary.emphasis)")
        }
        XCTAssertEqual(emphasis.inventory.map(\.nickname), ["Sam"])

        let timeline = try store.timeline(from: moment(1), to: moment(31), filter: TimelineFilter(kinds: [.win, .interaction]))
        XCTAssertEqual(timeline.map(\.kind), [.interaction, .win])
        XCTAssertEqual(try store.terminationReview(until: moment(20)).warningSigns, ["sleeping badly for a week"])
    }

    func testAnExportImportsIntoAnEmptyStore() throws {
        let original = try filledStore("a.db")
        let json = try original.exportJSON()
        let copy = try RecordStore(url: folder.appendingPathComponent("b.db"))
        let report = try copy.importJSON(json)
        XCTAssertEqual(report.documents, report.changed)
        XCTAssertEqual(Set(try copy.list().map(\.id)), Set(try original.list().map(\.id)))
        XCTAssertEqual(try copy.afterCarePlan().planForAfter, "Call Sam on Sundays")
        XCTAssertTrue(try copy.exportMarkdown().contains("Asked Sam for help"))

        XCTAssertGreaterThan(try copy.deleteEverything(), 0)
        XCTAssertEqual(try copy.list(), [])
    }
}
