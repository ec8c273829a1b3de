// RecordStore: the client's record on the device. A thin Swift face over the
// generated RapportStore: async throwing methods, value types in and out, and
// `changes` and `observe(_:)` as async streams. Every call runs on the store's
// own serial queue (FFIChannel), never on the caller's thread: a view on the
// main actor can await any of them. Network work is in SyncSession. The
// method names are Kotlin's RecordStore's (android/lib), with Swift labels.
import Foundation
import RapportBindings
import RapportDay

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
    /// never written in clear. A wrong key throws
    /// `StoreError.NotOurDatabase(path:wrongKey: true)` and changes nothing.
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

    /// Batches of changed items (local writes and what sync applied: one
    /// batch per write or applied sync page, each item's id, kind and
    /// whether it was upserted or removed), from the moment the
    /// subscription is made on the store's queue. Iterating subscribes;
    /// ending the iteration or cancelling its task ends the Rust
    /// subscription. Batches are buffered, never dropped. For a screen that
    /// shows a list, `observe(_:)` gives the rows themselves.
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

    /// The rows of `query`: the current rows first, then the rows again
    /// after every batch of changes (changes that come in a burst are read
    /// once; a consumer slower than the changes gets only the newest rows),
    /// like Kotlin's `observe(query)`. Subscribed before the first read, so a
    /// write in between is never missed. A failed read ends the stream with
    /// its `StoreError`. Ending the iteration or cancelling its task ends the
    /// Rust subscription.
    public func observe(_ query: ListQuery = ListQuery()) -> AsyncThrowingStream<[Summary], any Error> {
        let ffi = self.ffi
        return AsyncThrowingStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let reader = QueryReader(query, continuation, channel: ffi)
            let subscription = Subscription()
            ffi.post { store in
                subscription.started(store.subscribe(observer: reader))
                reader.read(store)
            }
            continuation.onTermination = { _ in ffi.post { _ in subscription.end() } }
        }
    }

    // MARK: Any item

    /// Items newest first; see `ListQuery` for filters and paging.
    public func list(_ query: ListQuery = ListQuery()) async throws -> [Summary] {
        try await ffi.call { try $0.list(query: query) }
    }

    /// Items of these kinds, newest first.
    public func list(_ kinds: DocKind...) async throws -> [Summary] {
        try await list(ListQuery(kinds: kinds))
    }

    /// One page of `list` and how many items match in all (offset and limit
    /// aside), read together: "21 to 40 of 57".
    public func listPage(_ query: ListQuery) async throws -> Page {
        try await ffi.call { try $0.listPage(query: query) }
    }

    /// Full-text search over every entry; best matches first.
    public func search(_ text: String, limit: Int = 50) async throws -> [Summary] {
        try await ffi.call { try $0.search(text: text, limit: UInt32(clamping: limit)) }
    }

    /// The list row of one item, or nil if there is none (or it was deleted).
    public func summary(of id: ItemId) async throws -> Summary? {
        try await ffi.call { try $0.summary(id: id) }
    }
    public func kindOf(_ id: ItemId) async throws -> DocKind {
        try await ffi.call { try $0.kindOf(id: id) }
    }

    /// Whose an item is: nil for this account's own, else the account that
    /// owns it (a therapist's note on a client's device, a client's entry on
    /// a therapist's). Another account's item is read-only here.
    public func ownerOf(_ id: ItemId) async throws -> AccountId? {
        try await ffi.call { try $0.ownerOf(id: id) }
    }

    /// Deletes an item of any kind, on every device once synced. Another
    /// account's item is `StoreError.ReadOnly` and stays.
    public func delete(_ id: ItemId) async throws {
        try await ffi.call { try $0.deleteItem(id: id) }
    }

    /// Whether the therapist may see the item (shared at the next sync).
    public func setShared(_ id: ItemId, _ shared: Bool) async throws {
        try await ffi.call { try $0.setShared(id: id, shared: shared) }
    }

    // MARK: Journal

    @discardableResult
    public func add(_ interaction: Interaction) async throws -> StoredInteraction {
        try await ffi.call { try $0.addInteraction(interaction: interaction) }
    }
    @discardableResult
    public func update(_ id: ItemId, _ interaction: Interaction) async throws -> StoredInteraction {
        try await ffi.call { try $0.updateInteraction(id: id, interaction: interaction) }
    }
    public func interaction(_ id: ItemId) async throws -> StoredInteraction {
        try await ffi.call { try $0.getInteraction(id: id) }
    }

    @discardableResult
    public func add(_ win: Win) async throws -> StoredWin {
        try await ffi.call { try $0.addWin(win: win) }
    }
    @discardableResult
    public func update(_ id: ItemId, _ win: Win) async throws -> StoredWin {
        try await ffi.call { try $0.updateWin(id: id, win: win) }
    }
    public func win(_ id: ItemId) async throws -> StoredWin {
        try await ffi.call { try $0.getWin(id: id) }
    }

    @discardableResult
    public func add(_ reflection: Reflection) async throws -> StoredReflection {
        try await ffi.call { try $0.addReflection(reflection: reflection) }
    }
    @discardableResult
    public func update(_ id: ItemId, _ reflection: Reflection) async throws -> StoredReflection {
        try await ffi.call { try $0.updateReflection(id: id, reflection: reflection) }
    }
    public func reflection(_ id: ItemId) async throws -> StoredReflection {
        try await ffi.call { try $0.getReflection(id: id) }
    }

    // MARK: Goals

    @discardableResult
    public func add(_ goal: Goal) async throws -> StoredGoal {
        try await ffi.call { try $0.addGoal(goal: goal) }
    }
    @discardableResult
    public func update(_ id: ItemId, _ goal: Goal) async throws -> StoredGoal {
        try await ffi.call { try $0.updateGoal(goalId: id, goal: goal) }
    }
    public func goal(_ id: ItemId) async throws -> StoredGoal {
        try await ffi.call { try $0.getGoal(goalId: id) }
    }

    @discardableResult
    public func addMilestone(to goalId: ItemId, title: String) async throws -> StoredGoal {
        try await ffi.call { try $0.addMilestone(goalId: goalId, title: title) }
    }
    @discardableResult
    public func renameMilestone(_ milestoneId: String, of goalId: ItemId, to title: String) async throws -> StoredGoal {
        try await ffi.call { try $0.renameMilestone(goalId: goalId, milestoneId: milestoneId, title: title) }
    }
    @discardableResult
    public func completeMilestone(_ milestoneId: String, of goalId: ItemId, at: Date = Date()) async throws -> StoredGoal {
        try await ffi.call { try $0.completeMilestone(goalId: goalId, milestoneId: milestoneId, at: at) }
    }
    @discardableResult
    public func reopenMilestone(_ milestoneId: String, of goalId: ItemId) async throws -> StoredGoal {
        try await ffi.call { try $0.reopenMilestone(goalId: goalId, milestoneId: milestoneId) }
    }
    @discardableResult
    public func removeMilestone(_ milestoneId: String, of goalId: ItemId) async throws -> StoredGoal {
        try await ffi.call { try $0.removeMilestone(goalId: goalId, milestoneId: milestoneId) }
    }
    @discardableResult
    public func reorderMilestones(of goalId: ItemId, _ milestoneIds: [String]) async throws -> StoredGoal {
        try await ffi.call { try $0.reorderMilestones(goalId: goalId, milestoneIds: milestoneIds) }
    }
    @discardableResult
    public func setGoalStatus(_ status: GoalStatus, of goalId: ItemId) async throws -> StoredGoal {
        try await ffi.call { try $0.setGoalStatus(goalId: goalId, status: status) }
    }
    /// What got in the way.
    @discardableResult
    public func logBarrier(_ text: String, on goalId: ItemId, at: Date = Date()) async throws -> StoredGoal {
        try await ffi.call { try $0.logBarrier(goalId: goalId, text: text, at: at) }
    }
    /// How the plan changes.
    @discardableResult
    public func logCourseCorrection(_ text: String, on goalId: ItemId, at: Date = Date()) async throws -> StoredGoal {
        try await ffi.call { try $0.logCourseCorrection(goalId: goalId, text: text, at: at) }
    }

    // MARK: Inventory and profile

    @discardableResult
    public func add(_ person: Person) async throws -> StoredPerson {
        try await ffi.call { try $0.addPerson(person: person) }
    }
    @discardableResult
    public func update(_ id: ItemId, _ person: Person) async throws -> StoredPerson {
        try await ffi.call { try $0.updatePerson(personId: id, person: person) }
    }
    public func person(_ id: ItemId) async throws -> StoredPerson {
        try await ffi.call { try $0.getPerson(personId: id) }
    }
    /// Every person of the inventory (at most 500), as list rows.
    public func inventory() async throws -> [Summary] {
        try await list(ListQuery(kinds: [.person], limit: 500))
    }

    /// A role dispute with `personId` moves to `stage`.
    @discardableResult
    public func setDisputeStage(_ stage: DisputeStage, with personId: ItemId, at: Date = Date(), note: String = "") async throws -> StoredPerson {
        try await ffi.call { try $0.setDisputeStage(personId: personId, stage: stage, at: at, note: note) }
    }

    /// The profile, or the default one (12 sessions, initial phase) until saved.
    public func profile() async throws -> Profile {
        try await ffi.call { try $0.profile() }
    }
    @discardableResult
    public func saveProfile(_ profile: Profile) async throws -> StoredProfile {
        try await ffi.call { try $0.saveProfile(profile: profile) }
    }

    // MARK: Check-ins and safety

    /// A quick mood rating (0 worst, 10 best). A check-in marked as a crisis
    /// returns crisis resources: show them at once (they are on the device).
    @discardableResult
    public func checkIn(_ mood: MoodCheckIn) async throws -> MoodCheckInSaved {
        try await ffi.call { try $0.checkInMood(checkIn: mood) }
    }

    /// A PHQ-9: nine answers 0 to 3 (anything else is refused in Rust as
    /// `StoreError.Invalid`, never clamped). Item 9 above 0 returns crisis
    /// resources to show at once, with no network, and flags it for the
    /// therapist's next review (Rapport is not monitored in real time).
    @discardableResult
    public func checkIn(_ phq9: Phq9CheckIn) async throws -> Phq9CheckInSaved {
        try await ffi.call { try $0.checkInPhq9(checkIn: phq9) }
    }

    public func moodCheckIn(_ id: ItemId) async throws -> StoredMoodCheckIn {
        try await ffi.call { try $0.getMoodCheckIn(id: id) }
    }
    public func phq9CheckIn(_ id: ItemId) async throws -> StoredPhq9CheckIn {
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
    public func update(_ id: ItemId, _ rehearsal: Rehearsal) async throws -> StoredRehearsal {
        try await ffi.call { try $0.updateRehearsal(id: id, rehearsal: rehearsal) }
    }
    public func rehearsal(_ id: ItemId) async throws -> StoredRehearsal {
        try await ffi.call { try $0.getRehearsal(id: id) }
    }

    /// A therapist's feedback note (read-only to the client).
    public func note(_ id: ItemId) async throws -> StoredNote {
        try await ffi.call { try $0.getNote(id: id) }
    }

    // MARK: Clinical views
    // Days are the client's calendar days (`CalendarDay`); `since` and
    // `until` both belong to the range (the summary's `range` is the
    // half-open [from, to) it covered). `whose` is `.mine` for this device's
    // own record, `.client(accountId:)` for a client's on a therapist's
    // device. Rapport is reviewed at sessions, not monitored in real time.

    /// "Since we last met": `since` to `until` (default `today`), or without
    /// `since` the days since the last session.
    public func sessionSummary(
        whose: Whose = .mine, since: CalendarDay? = nil, until: CalendarDay? = nil,
        today: CalendarDay = .today()
    ) async throws -> SessionSummary {
        try await ffi.call { try $0.sessionSummary(whose: whose, since: since, until: until, today: today) }
    }

    /// Every entry from `since` to `until`, oldest first.
    public func timeline(
        whose: Whose = .mine, since: CalendarDay, until: CalendarDay, filter: TimelineFilter = TimelineFilter()
    ) async throws -> [TimelineEntry] {
        try await ffi.call { try $0.timeline(whose: whose, since: since, until: until, filter: filter) }
    }

    /// Gains, wins, warning signs and the plan for after, up to `until`.
    public func terminationReview(whose: Whose = .mine, until: CalendarDay = .today()) async throws -> TerminationReview {
        try await ffi.call { try $0.terminationReview(whose: whose, until: until) }
    }

    public func afterCarePlan() async throws -> AfterCarePlan {
        try await ffi.call { try $0.afterCarePlan() }
    }
    @discardableResult
    public func saveAfterCarePlan(_ plan: AfterCarePlan) async throws -> AfterCarePlan {
        try await ffi.call { try $0.saveAfterCarePlan(plan: plan) }
    }

    // MARK: Export, import, deletion

    /// Everything on this device as one JSON file (re-importable, open format).
    public func exportJson() async throws -> String {
        try await ffi.call { try $0.exportJson() }
    }
    /// Imports an export; a damaged or newer file throws and changes nothing.
    @discardableResult
    public func importJson(_ json: String) async throws -> ImportReport {
        try await ffi.call { try $0.importJson(json: json) }
    }
    /// The record as a readable Markdown document.
    public func exportMarkdown(whose: Whose = .mine) async throws -> String {
        try await ffi.call { try $0.exportMarkdown(whose: whose) }
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

/// Reads the rows of one `observe` stream: once after subscribing, then again
/// after batches of changes. Rust calls `onChange` on whichever thread wrote
/// (the store's queue itself, for a local write), so the read is posted to
/// the queue, never made inside Rust's call; batches that arrive before a
/// posted read runs are covered by that one read. `live` counts the readers
/// Rust still holds (see ChangeForwarder).
final class QueryReader: ChangeObserver, Sendable {
    static let live = Locked(0)
    private let query: ListQuery
    private let continuation: AsyncThrowingStream<[Summary], any Error>.Continuation
    // Weak: Rust holds this reader, and the channel holds Rust's store; a
    // strong reference would keep a store open for as long as a stream
    // nobody ended.
    private let channel: Locked<Weak<FFIChannel<RapportStore>>>
    private let readPosted = Locked(false)

    init(
        _ query: ListQuery, _ continuation: AsyncThrowingStream<[Summary], any Error>.Continuation,
        channel: FFIChannel<RapportStore>
    ) {
        self.query = query
        self.continuation = continuation
        self.channel = Locked(Weak(channel))
        Self.live.withLock { $0 += 1 }
    }

    deinit { Self.live.withLock { $0 -= 1 } }

    func onChange(changes: [ItemChange]) {
        let alreadyPosted = readPosted.withLock { posted in
            defer { posted = true }
            return posted
        }
        guard !alreadyPosted, let channel = channel.withLock({ $0.value }) else { return }
        channel.post { [self] store in read(store) }
    }

    /// On the store's queue.
    func read(_ store: RapportStore) {
        // Cleared before reading: a change from now on posts another read.
        readPosted.withLock { $0 = false }
        do {
            continuation.yield(try store.list(query: query))
        } catch {
            continuation.finish(throwing: error)
        }
    }
}

struct Weak<Object: AnyObject> {
    weak var value: Object?
    init(_ value: Object) { self.value = value }
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
