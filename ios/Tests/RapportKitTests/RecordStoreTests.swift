// RecordStore as an app uses it: every record kind written and read back,
// search, the PHQ-9 safety alert offline, typed errors with the Rust
// message, and the change stream. Mirrors the JVM suite.
import Foundation
import XCTest

@testable import RapportKit

final class RecordStoreTests: XCTestCase {
    var folder: URL!
    var store: RecordStore!

    override func setUpWithError() throws {
        folder = try temporaryFolder()
        store = try RecordStore(url: folder.appendingPathComponent("record.db"))
    }

    override func tearDownWithError() throws {
        store = nil
        try? FileManager.default.removeItem(at: folder)
    }

    func testOpensAStoreInATemporaryFolder() throws {
        XCTAssertEqual(store.url.lastPathComponent, "record.db")
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.url.path))
        XCTAssertEqual(try store.list(), [])
    }

    func testWritesAndReadsEveryRecordKind() throws {
        let sam = try store.add(Person(nickname: "Sam", relationship: "partner", ring: .inner))
        XCTAssertEqual(try store.person(sam.meta.id).person.nickname, "Sam")

        var goal = try store.add(Goal(title: "Raise chores calmly", personIds: [sam.meta.id], status: .active, setAt: moment(1)))
        goal = try store.addMilestone(to: goal.meta.id, title: "Pick a calm moment")
        let milestone = try XCTUnwrap(goal.goal.milestones.first)
        goal = try store.completeMilestone(milestone.id, of: goal.meta.id, at: moment(5))
        goal = try store.logBarrier("Sam was tired", on: goal.meta.id, at: moment(6))
        goal = try store.logCourseCorrection("Try on Sunday morning", on: goal.meta.id, at: moment(6, hour: 19))
        XCTAssertEqual(try store.goal(goal.meta.id).goal.courseLog.map(\.kind), [.barrier, .courseCorrection])
        XCTAssertEqual(goal.goal.milestones.first?.completedAt, moment(5))

        let interaction = Interaction(
            personId: sam.meta.id, occurredAt: moment(4), channel: .inPerson, initiatedBy: .me,
            whatIWanted: "Share the chores", whatISaid: "I feel tired when I do them alone",
            feelings: [Feeling(label: "anxious", intensity: 6)], moodBefore: 4, moodAfter: 7,
            gotWhatIWanted: .partly, relationship: .better, skillsUsed: ["\"I\" statements"],
            goal: GoalLink(goalId: goal.meta.id, milestoneId: milestone.id))
        let storedInteraction = try store.add(interaction)
        XCTAssertEqual(try store.interaction(storedInteraction.meta.id).interaction, interaction)

        let win = Win(occurredAt: moment(5), title: "Asked Sam for help", goal: GoalLink(goalId: goal.meta.id))
        XCTAssertEqual(try store.win(try store.add(win).meta.id).win, win)

        let reflection = Reflection(writtenAt: moment(6), text: "Calm moments work better")
        XCTAssertEqual(try store.reflection(try store.add(reflection).meta.id).reflection, reflection)

        let rehearsal = Rehearsal(personId: sam.meta.id, scenario: "Asking for Sundays", whatIWantToSay: "Can we plan together?",
                                  confidenceBefore: 3, confidenceAfter: 6, practicedAt: moment(7))
        XCTAssertEqual(try store.rehearsal(try store.add(rehearsal).meta.id).rehearsal, rehearsal)

        let mood = try store.checkIn(MoodCheckIn(at: moment(8), rating: 6, event: "A calm talk"))
        XCTAssertNil(mood.safetyAlert)
        XCTAssertEqual(try store.moodCheckIn(mood.item.meta.id).checkIn.rating, 6)

        let phq9 = try store.checkInPHQ9([1, 1, 1, 1, 1, 1, 1, 1, 0], at: moment(8))
        XCTAssertEqual(phq9.item.total, 8)
        XCTAssertEqual(phq9.item.severity, .mild)
        XCTAssertEqual(try store.phq9CheckIn(phq9.item.meta.id).total, 8)

        try store.save(Profile(problemArea: .roleDispute, formulation: "Chores dispute", phase: .middle, currentSession: 5))
        XCTAssertEqual(try store.profile().problemArea, .roleDispute)

        try store.setDisputeStage(.renegotiation, with: sam.meta.id, at: moment(3))
        XCTAssertEqual(try store.person(sam.meta.id).disputeStage, .renegotiation)

        let kinds = Set(try store.list().map(\.kind))
        XCTAssertEqual(kinds, [.person, .goal, .interaction, .win, .reflection, .rehearsal, .moodCheckIn, .phq9CheckIn, .profile])
        XCTAssertEqual(try store.list(ListQuery(kinds: [.win])).count, 1)

        try store.setShared(storedInteraction.meta.id, true)
        XCTAssertEqual(try store.summary(of: storedInteraction.meta.id)?.shared, true)
        try store.delete(storedInteraction.meta.id)
        XCTAssertNil(try store.summary(of: storedInteraction.meta.id))
    }

    func testSearchFindsEntriesByTheirText() throws {
        let sam = try store.add(Person(nickname: "Sam", ring: .inner))
        try store.add(Interaction(personId: sam.meta.id, occurredAt: moment(4), channel: .phone, initiatedBy: .them,
                                  whatIWanted: "Talk about the holiday plans"))
        try store.add(Win(occurredAt: moment(5), title: "Said no to overtime"))
        let hits = try store.search("holiday")
        XCTAssertEqual(hits.map(\.kind), [.interaction])
        XCTAssertEqual(try store.search("overtime").first?.title, "Said no to overtime")
        XCTAssertEqual(try store.search("nothing-like-this"), [])
    }

    func testPHQ9Item9AboveZeroReturnsCrisisResourcesOffline() throws {
        let saved = try store.checkInPHQ9([0, 0, 0, 0, 0, 0, 0, 0, 1], at: moment(9))
        let alert = try XCTUnwrap(saved.safetyAlert)
        XCTAssertEqual(alert.reason, .phq9Item9)
        XCTAssertFalse(alert.resources.isEmpty)
        XCTAssertTrue(alert.message.contains("not monitored in real time"), alert.message)
        XCTAssertEqual(alert.resources, try store.crisisResources())

        let local = [CrisisResource(
            name: "Local crisis line", contact: .phone(number: "0800 000 000"),
            hours: "", region: nil, uri: nil)]
        try store.setCrisisResources(local)
        let again = try store.checkInPHQ9([0, 0, 0, 0, 0, 0, 0, 0, 2], at: moment(10))
        // Normalised by the core, first, with the URI the app dials.
        XCTAssertEqual(again.safetyAlert?.resources.first?.uri, "tel:0800000000")
        XCTAssertEqual(again.safetyAlert?.resources.first?.contact, .phone(number: "0800000000"))
        XCTAssertNil(try store.checkInPHQ9([0, 0, 0, 0, 0, 0, 0, 0, 0], at: moment(11)).safetyAlert)
    }

    func testErrorsArriveAsTypedSwiftErrorsWithTheRustMessage() throws {
        XCTAssertThrowsError(try store.add(Win(occurredAt: moment(1), title: "  "))) { error in
            guard let error = error as? StoreError, case .Invalid = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertTrue(error.message.hasPrefix("title:"), error.message)
        }
        XCTAssertThrowsError(try store.win("no-such-win")) { error in
            guard let error = error as? StoreError, case .NotFound = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertTrue(error.message.contains("no-such-win"), error.message)
        }
        XCTAssertThrowsError(try store.checkInPHQ9([1, 1, 1])) { error in
            XCTAssertNotNil(error as? StoreError, "\(error)")
        }
        XCTAssertThrowsError(try store.importJSON("{\"format\":")) { error in
            guard let error = error as? StoreError, case .Malformed = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertTrue(error.message.contains("nothing was imported"), error.message)
        }
    }

    func testAnEncryptedRecordOpensOnlyWithItsKey() throws {
        let url = folder.appendingPathComponent("secret.db")
        let key = try RecordStore.newKey()
        XCTAssertEqual(key.count, 32)
        var secret: RecordStore? = try RecordStore(url: url, key: key)
        let win = try secret!.add(Win(occurredAt: moment(1), title: "Asked for help"))
        secret = nil

        XCTAssertThrowsError(try RecordStore(url: url, key: try RecordStore.newKey())) { error in
            guard let error = error as? StoreError, case .UnusableFile = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertTrue(error.message.contains("cannot be opened with this key"), error.message)
        }
        XCTAssertThrowsError(try RecordStore(url: url, key: Data([1, 2, 3]))) { error in
            guard let error = error as? StoreError, case .Invalid = error else {
                return XCTFail("unexpected \(error)")
            }
        }
        let reopened = try RecordStore(url: url, key: key)
        XCTAssertEqual(try reopened.win(win.meta.id).win.title, "Asked for help")
    }

    func testTheChangeStreamFiresAfterWrites() async throws {
        let stream = store.changes
        var iterator = stream.makeAsyncIterator()
        let win = try store.add(Win(occurredAt: moment(5), title: "Called Mum"))
        let first = await iterator.next()
        XCTAssertEqual(first?.map(\.id), [win.meta.id])
        XCTAssertEqual(first?.first?.kind, .win)
        XCTAssertEqual(first?.first?.removed, false)

        try store.delete(win.meta.id)
        let second = await iterator.next()
        XCTAssertEqual(second?.first?.removed, true)
    }
}
