// RecordStore: the client's record on the device. A thin Swift face over the
// generated RapportStore: throwing methods, value types in and out, and
// `changes` as an AsyncStream. Local reads and writes are quick and blocking
// (call them from a background task for large lists); network work is in
// SyncSession.
import Foundation
import RapportBindings

public final class RecordStore: Sendable {
    let inner: RapportStore

    /// Opens (or creates) the record in the file at `url`, in the app's
    /// private storage (for example Application Support, excluded from
    /// backups).
    public init(url: URL) throws {
        inner = try RapportStore.open(path: url.path)
    }

    /// Opens (or creates) the record at `url`, encrypted at rest with `key`:
    /// 32 bytes made once by `RecordStore.newKey()` and kept in the Keychain,
    /// never written in clear. A wrong key throws `StoreError.UnusableFile`
    /// and changes nothing.
    public init(url: URL, key: Data) throws {
        inner = try RapportStore.openEncrypted(path: url.path, key: key)
    }

    /// A new random 32-byte key for `init(url:key:)`.
    public static func newKey() throws -> Data {
        try newDatabaseKey()
    }

    /// The file this record lives in.
    public var url: URL { URL(fileURLWithPath: inner.path()) }

    // MARK: Observing

    /// Batches of changed items (local writes and what sync applied), from
    /// now on. Iterating subscribes; ending the iteration or cancelling its
    /// task ends the subscription. Batches are buffered, never dropped.
    public var changes: AsyncStream<[ItemChange]> {
        AsyncStream { continuation in
            let handle = inner.subscribe(observer: ChangeForwarder(continuation))
            continuation.onTermination = { _ in handle.cancel() }
        }
    }

    // MARK: Any item

    public func list(_ query: ListQuery = ListQuery()) throws -> [Summary] {
        try inner.list(query: query)
    }

    /// Full-text search over every entry; best matches first.
    public func search(_ text: String, limit: Int = 50) throws -> [Summary] {
        try inner.search(text: text, limit: UInt32(clamping: limit))
    }

    public func summary(of id: String) throws -> Summary? { try inner.summary(id: id) }
    public func kind(of id: String) throws -> ItemKind { try inner.kindOf(id: id) }
    public func delete(_ id: String) throws { try inner.deleteItem(id: id) }

    /// Whether the therapist may see the item (shared at the next sync).
    public func setShared(_ id: String, _ shared: Bool) throws {
        try inner.setShared(id: id, shared: shared)
    }

    // MARK: Journal

    @discardableResult
    public func add(_ interaction: Interaction) throws -> StoredInteraction {
        try inner.addInteraction(interaction: interaction)
    }
    @discardableResult
    public func update(_ id: String, _ interaction: Interaction) throws -> StoredInteraction {
        try inner.updateInteraction(id: id, interaction: interaction)
    }
    public func interaction(_ id: String) throws -> StoredInteraction { try inner.getInteraction(id: id) }

    @discardableResult
    public func add(_ win: Win) throws -> StoredWin { try inner.addWin(win: win) }
    @discardableResult
    public func update(_ id: String, _ win: Win) throws -> StoredWin { try inner.updateWin(id: id, win: win) }
    public func win(_ id: String) throws -> StoredWin { try inner.getWin(id: id) }

    @discardableResult
    public func add(_ reflection: Reflection) throws -> StoredReflection {
        try inner.addReflection(reflection: reflection)
    }
    @discardableResult
    public func update(_ id: String, _ reflection: Reflection) throws -> StoredReflection {
        try inner.updateReflection(id: id, reflection: reflection)
    }
    public func reflection(_ id: String) throws -> StoredReflection { try inner.getReflection(id: id) }

    // MARK: Goals

    @discardableResult
    public func add(_ goal: Goal) throws -> StoredGoal { try inner.addGoal(goal: goal) }
    @discardableResult
    public func update(_ id: String, _ goal: Goal) throws -> StoredGoal { try inner.updateGoal(goalId: id, goal: goal) }
    public func goal(_ id: String) throws -> StoredGoal { try inner.getGoal(goalId: id) }

    @discardableResult
    public func addMilestone(to goalId: String, title: String) throws -> StoredGoal {
        try inner.addMilestone(goalId: goalId, title: title)
    }
    @discardableResult
    public func renameMilestone(_ milestoneId: String, of goalId: String, to title: String) throws -> StoredGoal {
        try inner.renameMilestone(goalId: goalId, milestoneId: milestoneId, title: title)
    }
    @discardableResult
    public func completeMilestone(_ milestoneId: String, of goalId: String, at: Date = Date()) throws -> StoredGoal {
        try inner.completeMilestone(goalId: goalId, milestoneId: milestoneId, at: at)
    }
    @discardableResult
    public func reopenMilestone(_ milestoneId: String, of goalId: String) throws -> StoredGoal {
        try inner.reopenMilestone(goalId: goalId, milestoneId: milestoneId)
    }
    @discardableResult
    public func removeMilestone(_ milestoneId: String, of goalId: String) throws -> StoredGoal {
        try inner.removeMilestone(goalId: goalId, milestoneId: milestoneId)
    }
    @discardableResult
    public func reorderMilestones(of goalId: String, _ milestoneIds: [String]) throws -> StoredGoal {
        try inner.reorderMilestones(goalId: goalId, milestoneIds: milestoneIds)
    }
    @discardableResult
    public func setStatus(_ status: GoalStatus, of goalId: String) throws -> StoredGoal {
        try inner.setGoalStatus(goalId: goalId, status: status)
    }
    /// What got in the way.
    @discardableResult
    public func logBarrier(_ text: String, on goalId: String, at: Date = Date()) throws -> StoredGoal {
        try inner.logBarrier(goalId: goalId, text: text, at: at)
    }
    /// How the plan changes.
    @discardableResult
    public func logCourseCorrection(_ text: String, on goalId: String, at: Date = Date()) throws -> StoredGoal {
        try inner.logCourseCorrection(goalId: goalId, text: text, at: at)
    }

    // MARK: Inventory and profile

    @discardableResult
    public func add(_ person: Person) throws -> StoredPerson { try inner.addPerson(person: person) }
    @discardableResult
    public func update(_ id: String, _ person: Person) throws -> StoredPerson {
        try inner.updatePerson(personId: id, person: person)
    }
    public func person(_ id: String) throws -> StoredPerson { try inner.getPerson(personId: id) }
    /// A role dispute with `personId` moves to `stage`.
    @discardableResult
    public func setDisputeStage(_ stage: DisputeStage, with personId: String, at: Date = Date(), note: String = "") throws -> StoredPerson {
        try inner.setDisputeStage(personId: personId, stage: stage, at: at, note: note)
    }

    public func profile() throws -> Profile { try inner.profile() }
    @discardableResult
    public func save(_ profile: Profile) throws -> StoredProfile { try inner.saveProfile(profile: profile) }

    // MARK: Check-ins and safety

    /// A quick mood rating (0 worst, 10 best). A check-in marked as a crisis
    /// returns crisis resources: show them at once (they are on the device).
    @discardableResult
    public func checkIn(_ mood: MoodCheckIn) throws -> MoodCheckInSaved {
        try inner.checkInMood(checkIn: mood)
    }

    /// A PHQ-9: nine answers 0 to 3. Item 9 above 0 returns crisis resources
    /// to show at once, with no network, and flags it for the therapist's
    /// next review (Rapport is not monitored in real time).
    @discardableResult
    public func checkInPHQ9(_ answers: [Int], at: Date = Date()) throws -> Phq9CheckInSaved {
        // Out-of-range answers (negative, above 3) are refused in Rust as
        // StoreError.Invalid, never clamped.
        let items = answers.map { Int32(clamping: $0) }
        return try inner.checkInPhq9(checkIn: Phq9CheckIn(at: at, items: items))
    }

    public func moodCheckIn(_ id: String) throws -> StoredMoodCheckIn { try inner.getMoodCheckIn(id: id) }
    public func phq9CheckIn(_ id: String) throws -> StoredPhq9CheckIn { try inner.getPhq9CheckIn(id: id) }

    /// The crisis resources configured on this device (defaults otherwise).
    public func crisisResources() throws -> [CrisisResource] { try inner.crisisResources() }
    public func setCrisisResources(_ resources: [CrisisResource]) throws {
        try inner.setCrisisResources(resources: resources)
    }

    // MARK: Rehearsals and notes

    @discardableResult
    public func add(_ rehearsal: Rehearsal) throws -> StoredRehearsal { try inner.addRehearsal(rehearsal: rehearsal) }
    @discardableResult
    public func update(_ id: String, _ rehearsal: Rehearsal) throws -> StoredRehearsal {
        try inner.updateRehearsal(id: id, rehearsal: rehearsal)
    }
    public func rehearsal(_ id: String) throws -> StoredRehearsal { try inner.getRehearsal(id: id) }

    /// A therapist's feedback note (read-only to the client).
    public func note(_ id: String) throws -> StoredNote { try inner.getNote(id: id) }

    // MARK: Clinical views

    /// "Since we last met". `client` is nil for this device's own record, or
    /// a client's account id on a therapist's device. Without `from`, since
    /// the last session; `to` (included) defaults to `today`.
    public func sessionSummary(
        client: String? = nil, from: Date? = nil, to: Date? = nil, today: Date = Date()
    ) throws -> SessionSummary {
        try inner.sessionSummary(
            clientId: client, from: from.map { Day.string($0) }, to: to.map { Day.string($0) },
            today: Day.string(today))
    }

    /// Every entry from `from` to `to` (both days included), oldest first.
    public func timeline(
        client: String? = nil, from: Date, to: Date, filter: TimelineFilter = TimelineFilter()
    ) throws -> [TimelineEntry] {
        try inner.timeline(clientId: client, from: Day.string(from), to: Day.string(to), filter: filter)
    }

    /// Gains, wins, warning signs and the plan for after, up to `until`.
    public func terminationReview(client: String? = nil, until: Date = Date()) throws -> TerminationReview {
        try inner.terminationReview(clientId: client, until: Day.string(until))
    }

    public func afterCarePlan() throws -> AfterCarePlan { try inner.afterCarePlan() }
    @discardableResult
    public func save(_ plan: AfterCarePlan) throws -> AfterCarePlan { try inner.saveAfterCarePlan(plan: plan) }

    // MARK: Export, import, deletion

    /// Everything on this device as one JSON file (re-importable, open format).
    public func exportJSON() throws -> String { try inner.exportJson() }
    /// Imports an export; a damaged or newer file throws and changes nothing.
    @discardableResult
    public func importJSON(_ json: String) throws -> ImportReport { try inner.importJson(json: json) }
    /// The record as a readable Markdown document.
    public func exportMarkdown(client: String? = nil) throws -> String { try inner.exportMarkdown(clientId: client) }

    /// Deletes everything on this device, for real. To delete on the server
    /// and the other devices too, use `SyncSession.deleteEverything()`.
    @discardableResult
    public func deleteEverything() throws -> Int { Int(try inner.deleteEverything()) }
}

/// Forwards Rust's batches (on whichever thread wrote) into the stream.
private final class ChangeForwarder: ChangeObserver, @unchecked Sendable {
    // AsyncStream.Continuation is safe to use from any thread.
    private let continuation: AsyncStream<[ItemChange]>.Continuation

    init(_ continuation: AsyncStream<[ItemChange]>.Continuation) {
        self.continuation = continuation
    }

    func onChange(changes: [ItemChange]) {
        continuation.yield(changes)
    }
}
