// RecordStore: the client's record on the device. A thin Swift face over the
// generated RapportStore: async throwing methods, value types in and out, and
// `changes` as an AsyncStream. Every call runs on the store's own serial
// queue (FFIChannel), never on the caller's thread: a view on the main actor
// can await any of them. Network work is in SyncSession.
import Foundation
import RapportBindings

public final class RecordStore: Sendable {
    let ffi: FFIChannel<RapportStore>

    /// The file this record lives in.
    public let url: URL

    /// Opens (or creates) the record in the file at `url`, in the app's
    /// private storage (for example Application Support, excluded from
    /// backups). Unencrypted: for tests and tools; apps use `init(url:key:)`.
    public init(url: URL) async throws {
        let path = url.path
        ffi = try await FFIChannel.make(label: "app.rapport.store") { try RapportStore.open(path: path) }
        self.url = url
    }

    /// Opens (or creates) the record at `url`, encrypted at rest with `key`:
    /// 32 bytes made once by `RecordStore.newKey()` and kept in the Keychain,
    /// never written in clear. A wrong key throws `StoreError.UnusableFile`
    /// and changes nothing.
    public init(url: URL, key: Data) async throws {
        let path = url.path
        ffi = try await FFIChannel.make(label: "app.rapport.store") {
            try RapportStore.openEncrypted(path: path, key: key)
        }
        self.url = url
    }

    /// A new random 32-byte key for `init(url:key:)`.
    public static func newKey() async throws -> Data {
        try await keyChannel.call { _ in try newDatabaseKey() }
    }

    private static let keyChannel = FFIChannel<Void>.unbound(label: "app.rapport.key")

    // MARK: Observing

    /// Batches of changed items (local writes and what sync applied), from
    /// the moment the subscription is made on the store's queue. Iterating
    /// subscribes; ending the iteration or cancelling its task ends the Rust
    /// subscription. Batches are buffered, never dropped.
    public var changes: AsyncStream<[ItemChange]> {
        let ffi = self.ffi
        return AsyncStream(bufferingPolicy: .unbounded) { continuation in
            let forwarder = ChangeForwarder(continuation)
            let subscription = Subscription()
            // Subscribing and cancelling go through the same serial queue, in
            // this order, so a stream ended at once still unsubscribes.
            ffi.post { store in subscription.started(store.subscribe(observer: forwarder)) }
            continuation.onTermination = { _ in ffi.post { _ in subscription.end() } }
        }
    }

    // MARK: Any item

    public func list(_ query: ListQuery = ListQuery()) async throws -> [Summary] {
        try await ffi.call { try $0.list(query: query) }
    }

    /// Full-text search over every entry; best matches first.
    public func search(_ text: String, limit: Int = 50) async throws -> [Summary] {
        try await ffi.call { try $0.search(text: text, limit: UInt32(clamping: limit)) }
    }

    public func summary(of id: String) async throws -> Summary? {
        try await ffi.call { try $0.summary(id: id) }
    }
    public func kind(of id: String) async throws -> ItemKind {
        try await ffi.call { try $0.kindOf(id: id) }
    }
    public func delete(_ id: String) async throws {
        try await ffi.call { try $0.deleteItem(id: id) }
    }

    /// Whether the therapist may see the item (shared at the next sync).
    public func setShared(_ id: String, _ shared: Bool) async throws {
        try await ffi.call { try $0.setShared(id: id, shared: shared) }
    }

    // MARK: Journal

    @discardableResult
    public func add(_ interaction: Interaction) async throws -> StoredInteraction {
        try await ffi.call { try $0.addInteraction(interaction: interaction) }
    }
    @discardableResult
    public func update(_ id: String, _ interaction: Interaction) async throws -> StoredInteraction {
        try await ffi.call { try $0.updateInteraction(id: id, interaction: interaction) }
    }
    public func interaction(_ id: String) async throws -> StoredInteraction {
        try await ffi.call { try $0.getInteraction(id: id) }
    }

    @discardableResult
    public func add(_ win: Win) async throws -> StoredWin {
        try await ffi.call { try $0.addWin(win: win) }
    }
    @discardableResult
    public func update(_ id: String, _ win: Win) async throws -> StoredWin {
        try await ffi.call { try $0.updateWin(id: id, win: win) }
    }
    public func win(_ id: String) async throws -> StoredWin {
        try await ffi.call { try $0.getWin(id: id) }
    }

    @discardableResult
    public func add(_ reflection: Reflection) async throws -> StoredReflection {
        try await ffi.call { try $0.addReflection(reflection: reflection) }
    }
    @discardableResult
    public func update(_ id: String, _ reflection: Reflection) async throws -> StoredReflection {
        try await ffi.call { try $0.updateReflection(id: id, reflection: reflection) }
    }
    public func reflection(_ id: String) async throws -> StoredReflection {
        try await ffi.call { try $0.getReflection(id: id) }
    }

    // MARK: Goals

    @discardableResult
    public func add(_ goal: Goal) async throws -> StoredGoal {
        try await ffi.call { try $0.addGoal(goal: goal) }
    }
    @discardableResult
    public func update(_ id: String, _ goal: Goal) async throws -> StoredGoal {
        try await ffi.call { try $0.updateGoal(goalId: id, goal: goal) }
    }
    public func goal(_ id: String) async throws -> StoredGoal {
        try await ffi.call { try $0.getGoal(goalId: id) }
    }

    @discardableResult
    public func addMilestone(to goalId: String, title: String) async throws -> StoredGoal {
        try await ffi.call { try $0.addMilestone(goalId: goalId, title: title) }
    }
    @discardableResult
    public func renameMilestone(_ milestoneId: String, of goalId: String, to title: String) async throws -> StoredGoal {
        try await ffi.call { try $0.renameMilestone(goalId: goalId, milestoneId: milestoneId, title: title) }
    }
    @discardableResult
    public func completeMilestone(_ milestoneId: String, of goalId: String, at: Date = Date()) async throws -> StoredGoal {
        try await ffi.call { try $0.completeMilestone(goalId: goalId, milestoneId: milestoneId, at: at) }
    }
    @discardableResult
    public func reopenMilestone(_ milestoneId: String, of goalId: String) async throws -> StoredGoal {
        try await ffi.call { try $0.reopenMilestone(goalId: goalId, milestoneId: milestoneId) }
    }
    @discardableResult
    public func removeMilestone(_ milestoneId: String, of goalId: String) async throws -> StoredGoal {
        try await ffi.call { try $0.removeMilestone(goalId: goalId, milestoneId: milestoneId) }
    }
    @discardableResult
    public func reorderMilestones(of goalId: String, _ milestoneIds: [String]) async throws -> StoredGoal {
        try await ffi.call { try $0.reorderMilestones(goalId: goalId, milestoneIds: milestoneIds) }
    }
    @discardableResult
    public func setStatus(_ status: GoalStatus, of goalId: String) async throws -> StoredGoal {
        try await ffi.call { try $0.setGoalStatus(goalId: goalId, status: status) }
    }
    /// What got in the way.
    @discardableResult
    public func logBarrier(_ text: String, on goalId: String, at: Date = Date()) async throws -> StoredGoal {
        try await ffi.call { try $0.logBarrier(goalId: goalId, text: text, at: at) }
    }
    /// How the plan changes.
    @discardableResult
    public func logCourseCorrection(_ text: String, on goalId: String, at: Date = Date()) async throws -> StoredGoal {
        try await ffi.call { try $0.logCourseCorrection(goalId: goalId, text: text, at: at) }
    }

    // MARK: Inventory and profile

    @discardableResult
    public func add(_ person: Person) async throws -> StoredPerson {
        try await ffi.call { try $0.addPerson(person: person) }
    }
    @discardableResult
    public func update(_ id: String, _ person: Person) async throws -> StoredPerson {
        try await ffi.call { try $0.updatePerson(personId: id, person: person) }
    }
    public func person(_ id: String) async throws -> StoredPerson {
        try await ffi.call { try $0.getPerson(personId: id) }
    }
    /// A role dispute with `personId` moves to `stage`.
    @discardableResult
    public func setDisputeStage(_ stage: DisputeStage, with personId: String, at: Date = Date(), note: String = "") async throws -> StoredPerson {
        try await ffi.call { try $0.setDisputeStage(personId: personId, stage: stage, at: at, note: note) }
    }

    public func profile() async throws -> Profile {
        try await ffi.call { try $0.profile() }
    }
    @discardableResult
    public func save(_ profile: Profile) async throws -> StoredProfile {
        try await ffi.call { try $0.saveProfile(profile: profile) }
    }

    // MARK: Check-ins and safety

    /// A quick mood rating (0 worst, 10 best). A check-in marked as a crisis
    /// returns crisis resources: show them at once (they are on the device).
    @discardableResult
    public func checkIn(_ mood: MoodCheckIn) async throws -> MoodCheckInSaved {
        try await ffi.call { try $0.checkInMood(checkIn: mood) }
    }

    /// A PHQ-9: nine answers 0 to 3. Item 9 above 0 returns crisis resources
    /// to show at once, with no network, and flags it for the therapist's
    /// next review (Rapport is not monitored in real time).
    @discardableResult
    public func checkInPHQ9(_ answers: [Int], at: Date = Date()) async throws -> Phq9CheckInSaved {
        // Out-of-range answers (negative, above 3) are refused in Rust as
        // StoreError.Invalid, never clamped.
        let items = answers.map { Int32(clamping: $0) }
        return try await ffi.call { try $0.checkInPhq9(checkIn: Phq9CheckIn(at: at, items: items)) }
    }

    public func moodCheckIn(_ id: String) async throws -> StoredMoodCheckIn {
        try await ffi.call { try $0.getMoodCheckIn(id: id) }
    }
    public func phq9CheckIn(_ id: String) async throws -> StoredPhq9CheckIn {
        try await ffi.call { try $0.getPhq9CheckIn(id: id) }
    }

    /// The crisis resources configured on this device (defaults otherwise).
    public func crisisResources() async throws -> [CrisisResource] {
        try await ffi.call { try $0.crisisResources() }
    }
    public func setCrisisResources(_ resources: [CrisisResource]) async throws {
        try await ffi.call { try $0.setCrisisResources(resources: resources) }
    }
    /// The resources set on this device only (the client's or therapist's own).
    public func ownCrisisResources() async throws -> [CrisisResource] {
        try await ffi.call { try $0.ownCrisisResources() }
    }

    // MARK: The device's place

    /// The device's region (ISO 3166-1 alpha-2, `Locale.current.region?.identifier`):
    /// it picks the default crisis lines. Kept on this device, not synced.
    public func setRegion(_ region: String) async throws {
        try await ffi.call { try $0.setRegion(region: region) }
    }
    public func region() async throws -> String? { try await ffi.call { try $0.region() } }

    /// The client's IANA time zone (`TimeZone.current.identifier`), kept in the
    /// synced profile so that every day is cut at the client's midnight. Set it
    /// at launch and when the system zone changes (`NSSystemTimeZoneDidChange`).
    public func setTimeZone(_ zone: String) async throws {
        try await ffi.call { try $0.setTimeZone(zone: zone) }
    }
    public func timeZone() async throws -> String? { try await ffi.call { try $0.timeZone() } }

    // MARK: Rehearsals and notes

    @discardableResult
    public func add(_ rehearsal: Rehearsal) async throws -> StoredRehearsal {
        try await ffi.call { try $0.addRehearsal(rehearsal: rehearsal) }
    }
    @discardableResult
    public func update(_ id: String, _ rehearsal: Rehearsal) async throws -> StoredRehearsal {
        try await ffi.call { try $0.updateRehearsal(id: id, rehearsal: rehearsal) }
    }
    public func rehearsal(_ id: String) async throws -> StoredRehearsal {
        try await ffi.call { try $0.getRehearsal(id: id) }
    }

    /// A therapist's feedback note (read-only to the client).
    public func note(_ id: String) async throws -> StoredNote {
        try await ffi.call { try $0.getNote(id: id) }
    }

    // MARK: Clinical views

    /// "Since we last met". `client` is nil for this device's own record, or
    /// a client's account id on a therapist's device. Without `from`, since
    /// the last session; `to` (included) defaults to `today`.
    public func sessionSummary(
        client: String? = nil, from: Date? = nil, to: Date? = nil, today: Date = Date()
    ) async throws -> SessionSummary {
        let (from, to, today) = (from.map { Day.string($0) }, to.map { Day.string($0) }, Day.string(today))
        return try await ffi.call { try $0.sessionSummary(clientId: client, from: from, to: to, today: today) }
    }

    /// Every entry from `from` to `to` (both days included), oldest first.
    public func timeline(
        client: String? = nil, from: Date, to: Date, filter: TimelineFilter = TimelineFilter()
    ) async throws -> [TimelineEntry] {
        let (from, to) = (Day.string(from), Day.string(to))
        return try await ffi.call { try $0.timeline(clientId: client, from: from, to: to, filter: filter) }
    }

    /// Gains, wins, warning signs and the plan for after, up to `until`.
    public func terminationReview(client: String? = nil, until: Date = Date()) async throws -> TerminationReview {
        try await ffi.call { try $0.terminationReview(clientId: client, until: Day.string(until)) }
    }

    public func afterCarePlan() async throws -> AfterCarePlan {
        try await ffi.call { try $0.afterCarePlan() }
    }
    @discardableResult
    public func save(_ plan: AfterCarePlan) async throws -> AfterCarePlan {
        try await ffi.call { try $0.saveAfterCarePlan(plan: plan) }
    }

    // MARK: Export, import, deletion

    /// Everything on this device as one JSON file (re-importable, open format).
    public func exportJSON() async throws -> String {
        try await ffi.call { try $0.exportJson() }
    }
    /// Imports an export; a damaged or newer file throws and changes nothing.
    @discardableResult
    public func importJSON(_ json: String) async throws -> ImportReport {
        try await ffi.call { try $0.importJson(json: json) }
    }
    /// The record as a readable Markdown document.
    public func exportMarkdown(client: String? = nil) async throws -> String {
        try await ffi.call { try $0.exportMarkdown(clientId: client) }
    }

    /// Deletes everything on this device, for real. To delete on the server
    /// and the other devices too, use `SyncSession.deleteEverything()`.
    @discardableResult
    public func deleteEverything() async throws -> Int {
        try await ffi.call { Int(try $0.deleteEverything()) }
    }
}

/// Forwards Rust's batches (on whichever thread wrote) into the stream.
/// `live` counts the forwarders Rust still holds: it drops one when its
/// subscription ends (the tests check that a stream's end reaches Rust).
final class ChangeForwarder: ChangeObserver, Sendable {
    static let live = Locked(0)
    // AsyncStream.Continuation is Sendable: safe to yield from any thread.
    private let continuation: AsyncStream<[ItemChange]>.Continuation

    init(_ continuation: AsyncStream<[ItemChange]>.Continuation) {
        self.continuation = continuation
        Self.live.withLock { $0 += 1 }
    }

    deinit { Self.live.withLock { $0 -= 1 } }

    func onChange(changes: [ItemChange]) {
        continuation.yield(changes)
    }
}

/// The Rust handle of one stream's subscription, ended once: by the stream's
/// end, or at once if the stream ended before the subscription was made.
final class Subscription: Sendable {
    private let state = Locked<(handle: (any Cancellable)?, ended: Bool)>((nil, false))

    func started(_ handle: any Cancellable) {
        let endNow = state.withLock { state -> Bool in
            if state.ended { return true }
            state.handle = handle
            return false
        }
        if endNow { handle.cancel() }
    }

    func end() {
        let handle = state.withLock { state -> (any Cancellable)? in
            state.ended = true
            defer { state.handle = nil }
            return state.handle
        }
        handle?.cancel()
    }
}

/// The generated subscription handles (`ObserverHandle`, `StatusHandle`).
protocol Cancellable: Sendable {
    func cancel()
}

extension ObserverHandle: Cancellable {}
extension StatusHandle: Cancellable {}
