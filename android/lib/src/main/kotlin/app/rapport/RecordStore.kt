// The idiomatic Kotlin layer over the generated bindings (package app.rapport.ffi).
// App code uses this package; the generated one stays an implementation detail.
// Plain Kotlin/JVM: compiled by the Android library and by android/jvm (Maven).
package app.rapport

import app.rapport.core.Whose
import app.rapport.ffi.ChangeObserver
import app.rapport.ffi.ObserverHandle
import app.rapport.ffi.RapportStore as FfiStore
import java.io.File
import java.time.Instant
import java.time.LocalDate
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel.Factory.CONFLATED
import kotlinx.coroutines.channels.Channel.Factory.UNLIMITED
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.flowOn
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.withContext

/**
 * The client's IPT record on this device: one file, every item kind, list and
 * search, and a [Flow] of changes.
 *
 * Every call is a `suspend` function that runs on the store's dispatcher
 * (by default [Dispatchers.IO]), never on the caller's thread, so a screen may
 * call it from the main thread. A write returns once it is on disk. Errors
 * are thrown as [app.rapport.ffi.StoreException] subclasses with the fields
 * that say what was wrong (`Invalid.field`, `NotFound.id`); `toString()` is
 * the sentence to show. Close the store when done with it ([AutoCloseable]).
 */
class RecordStore private constructor(
    internal val ffi: Ffi<FfiStore>,
    /** The file this record lives in. */
    val path: File
) : AutoCloseable {
    companion object {
        /**
         * Opens (or creates) the record at [path], a file in the app's private
         * storage, on [dispatcher] (opening may migrate the file).
         *
         * @throws app.rapport.ffi.StoreException.NotOurDatabase if the file is not a Rapport record.
         */
        suspend fun open(path: File, dispatcher: CoroutineDispatcher = Dispatchers.IO): RecordStore =
            ffiFunction("RapportStore.open", dispatcher) { RecordStore(Ffi(FfiStore.open(path.path), dispatcher), path) }

        /**
         * Opens (or creates) the record at [path], encrypted at rest with
         * [key]: 32 bytes made once by [newKey] and kept by the Android
         * Keystore, never written in clear.
         *
         * @throws app.rapport.ffi.StoreException.NotOurDatabase if the key is wrong
         *   (`wrongKey`) or the file is not a Rapport record (nothing is changed).
         */
        suspend fun openEncrypted(path: File, key: ByteArray, dispatcher: CoroutineDispatcher = Dispatchers.IO): RecordStore =
            ffiFunction("RapportStore.openEncrypted", dispatcher) {
                RecordStore(Ffi(FfiStore.openEncrypted(path.path, key), dispatcher), path)
            }

        /** A new random 32-byte key for [openEncrypted]. */
        suspend fun newKey(dispatcher: CoroutineDispatcher = Dispatchers.IO): ByteArray = ffiFunction("newDatabaseKey", dispatcher) { app.rapport.ffi.newDatabaseKey() }
    }

    /**
     * Runs several store calls in one hop to the store's dispatcher:
     * `val wins = store.io { list(ItemKind.WIN) }`. (Each call is already off
     * the caller's thread; this only saves the switches.)
     */
    suspend fun <T> io(block: suspend RecordStore.() -> T): T = withContext(ffi.dispatcher) { block() }

    // --- Any item -----------------------------------------------------------

    /** Items newest first; see [ListQuery] for filters and paging. */
    suspend fun list(query: ListQuery = ListQuery()): List<Summary> = ffi.call("list") { list(query) }

    /** One page of [list] and the total number of items the filters match (offset and limit aside). */
    suspend fun listPage(query: ListQuery = ListQuery()): Page = ffi.call("listPage") { listPage(query) }

    /** Items of these kinds, newest first. */
    suspend fun list(vararg kinds: ItemKind): List<Summary> = list(ListQuery(kinds = kinds.toList()))

    /** Full-text search over every text field, best match first; plain words, each a prefix. */
    suspend fun search(text: String, limit: Int = 50): List<Summary> = ffi.call("search") { search(text, limit.coerceIn(0, 500).toUInt()) }

    /** The list row of one item, or null if there is none (or it was deleted). */
    suspend fun summary(id: String): Summary? = ffi.call("summary") { summary(id) }

    suspend fun kindOf(id: String): ItemKind = ffi.call("kindOf") { kindOf(id) }

    /** Whose an item is: null for this account's own, else the owning account (a therapist's note on a client's device). */
    suspend fun ownerOf(id: String): AccountId? = ffi.call("ownerOf") { ownerOf(id) }

    /** Deletes an item of any kind, on every device once synced; another account's item is `StoreException.ReadOnly`. */
    suspend fun delete(id: String) = ffi.call("deleteItem") { deleteItem(id) }

    /** Shares an item with the therapist, or makes it private again. */
    suspend fun setShared(id: String, shared: Boolean) = ffi.call("setShared") { setShared(id, shared) }

    // --- The journal --------------------------------------------------------

    suspend fun add(interaction: Interaction): StoredInteraction = ffi.call("addInteraction") { addInteraction(interaction) }

    suspend fun update(id: String, interaction: Interaction): StoredInteraction = ffi.call("updateInteraction") { updateInteraction(id, interaction) }

    suspend fun interaction(id: String): StoredInteraction = ffi.call("getInteraction") { getInteraction(id) }

    suspend fun add(win: Win): StoredWin = ffi.call("addWin") { addWin(win) }

    suspend fun update(id: String, win: Win): StoredWin = ffi.call("updateWin") { updateWin(id, win) }

    suspend fun win(id: String): StoredWin = ffi.call("getWin") { getWin(id) }

    suspend fun add(reflection: Reflection): StoredReflection = ffi.call("addReflection") { addReflection(reflection) }

    suspend fun update(id: String, reflection: Reflection): StoredReflection = ffi.call("updateReflection") { updateReflection(id, reflection) }

    suspend fun reflection(id: String): StoredReflection = ffi.call("getReflection") { getReflection(id) }

    // --- Goals --------------------------------------------------------------

    suspend fun add(goal: Goal): StoredGoal = ffi.call("addGoal") { addGoal(goal) }

    /** Replaces the whole goal; prefer the milestone and course-log calls below. */
    suspend fun update(id: String, goal: Goal): StoredGoal = ffi.call("updateGoal") { updateGoal(id, goal) }

    suspend fun goal(id: String): StoredGoal = ffi.call("getGoal") { getGoal(id) }

    /** Adds a milestone at the end; returns the goal with it. */
    suspend fun addMilestone(goalId: String, title: String): StoredGoal = ffi.call("addMilestone") { addMilestone(goalId, title) }

    suspend fun renameMilestone(goalId: String, milestoneId: String, title: String): StoredGoal = ffi.call("renameMilestone") { renameMilestone(goalId, milestoneId, title) }

    suspend fun completeMilestone(goalId: String, milestoneId: String, at: Instant = Instant.now()): StoredGoal =
        ffi.call("completeMilestone") { completeMilestone(goalId, milestoneId, at) }

    suspend fun reopenMilestone(goalId: String, milestoneId: String): StoredGoal = ffi.call("reopenMilestone") { reopenMilestone(goalId, milestoneId) }

    suspend fun removeMilestone(goalId: String, milestoneId: String): StoredGoal = ffi.call("removeMilestone") { removeMilestone(goalId, milestoneId) }

    /** Puts the milestones in this order; it must name each exactly once. */
    suspend fun reorderMilestones(goalId: String, milestoneIds: List<String>): StoredGoal = ffi.call("reorderMilestones") { reorderMilestones(goalId, milestoneIds) }

    suspend fun setGoalStatus(goalId: String, status: GoalStatus): StoredGoal = ffi.call("setGoalStatus") { setGoalStatus(goalId, status) }

    /** Logs what got in the way of a goal. */
    suspend fun logBarrier(goalId: String, text: String, at: Instant = Instant.now()): StoredGoal = ffi.call("logBarrier") { logBarrier(goalId, text, at) }

    /** Logs how the plan for a goal changes. */
    suspend fun logCourseCorrection(goalId: String, text: String, at: Instant = Instant.now()): StoredGoal =
        ffi.call("logCourseCorrection") { logCourseCorrection(goalId, text, at) }

    // --- The interpersonal inventory -----------------------------------------

    suspend fun add(person: Person): StoredPerson = ffi.call("addPerson") { addPerson(person) }

    suspend fun update(id: String, person: Person): StoredPerson = ffi.call("updatePerson") { updatePerson(id, person) }

    suspend fun person(id: String): StoredPerson = ffi.call("getPerson") { getPerson(id) }

    /** Every person of the inventory (at most 500), as list rows. */
    suspend fun inventory(): List<Summary> = list(ListQuery(kinds = listOf(ItemKind.PERSON), limit = 500u))

    /** Records that a role dispute with this person moved to [stage]. */
    suspend fun setDisputeStage(personId: String, stage: DisputeStage, note: String = "", at: Instant = Instant.now()): StoredPerson =
        ffi.call("setDisputeStage") { setDisputeStage(personId, stage, at, note) }

    // --- The profile --------------------------------------------------------

    /** The profile, or the default one (12 sessions, initial phase) until saved. */
    suspend fun profile(): Profile = ffi.call("profile") { profile() }

    suspend fun saveProfile(profile: Profile): StoredProfile = ffi.call("saveProfile") { saveProfile(profile) }

    // --- Check-ins and safety ------------------------------------------------

    /**
     * Saves a mood rating. A check-in marked as a crisis comes back with a
     * [SafetyAlert]: show its resources at once (they are on the device).
     */
    suspend fun checkIn(mood: MoodCheckIn): MoodCheckInSaved = ffi.call("checkInMood") { checkInMood(mood) }

    /**
     * Saves a PHQ-9. Item 9 above 0 comes back with a [SafetyAlert]: show its
     * resources at once (on the device, no network); the flag reaches the
     * therapist at the next review, not in real time.
     */
    suspend fun checkIn(phq9: Phq9CheckIn): Phq9CheckInSaved = ffi.call("checkInPhq9") { checkInPhq9(phq9) }

    suspend fun moodCheckIn(id: String): StoredMoodCheckIn = ffi.call("getMoodCheckIn") { getMoodCheckIn(id) }

    suspend fun phq9CheckIn(id: String): StoredPhq9CheckIn = ffi.call("getPhq9CheckIn") { getPhq9CheckIn(id) }

    /**
     * What "Get help now" shows, never empty, offline: the resources set on this
     * device first, then the defaults of the device's region. Open each by its
     * `uri()` (tel:, sms:, https:); one without a uri is an instruction to read.
     */
    suspend fun crisisResources(): List<CrisisResource> = ffi.call("crisisResources") { crisisResources() }

    /** The resources set on this device (for a settings screen). */
    suspend fun ownCrisisResources(): List<CrisisResource> = ffi.call("ownCrisisResources") { ownCrisisResources() }

    /** The client's own crisis resources, shown before the defaults (kept on the device). */
    suspend fun setCrisisResources(resources: List<CrisisResource>) = ffi.call("setCrisisResources") { setCrisisResources(resources) }

    /** The device's region (ISO 3166-1 alpha-2, `Locale.getDefault().country`): it picks the default crisis lines. */
    suspend fun setRegion(region: String) = ffi.call("setRegion") { setRegion(region) }

    suspend fun region(): String? = ffi.call("region") { region() }

    /**
     * The client's IANA time zone now (`ZoneId.systemDefault().id`): call at launch
     * and on every change. It syncs in the profile, so every view, the therapist's
     * too, cuts the client's days at local midnight.
     */
    suspend fun setTimeZone(zone: String) = ffi.call("setTimeZone") { setTimeZone(zone) }

    suspend fun timeZone(): String? = ffi.call("timeZone") { timeZone() }

    // --- Rehearsals and notes -------------------------------------------------

    suspend fun add(rehearsal: Rehearsal): StoredRehearsal = ffi.call("addRehearsal") { addRehearsal(rehearsal) }

    suspend fun update(id: String, rehearsal: Rehearsal): StoredRehearsal = ffi.call("updateRehearsal") { updateRehearsal(id, rehearsal) }

    suspend fun rehearsal(id: String): StoredRehearsal = ffi.call("getRehearsal") { getRehearsal(id) }

    /** A therapist's feedback note (read-only here). */
    suspend fun note(id: String): StoredNote = ffi.call("getNote") { getNote(id) }

    // --- Observing --------------------------------------------------------------

    /**
     * Batches of changed items: one list per local write or applied sync page,
     * delivered in order, none dropped. Collecting subscribes; cancelling the
     * collector cancels the subscription.
     */
    fun changes(): Flow<List<ItemChange>> = callbackFlow {
        val handle =
            subscribe { changes ->
                // Called on the thread that wrote or synced.
                trySend(changes)
            }
        awaitClose { handle.cancel() }
    }.buffer(UNLIMITED)
        .flowOn(ffi.dispatcher)

    /**
     * The rows of [query], now and again after every change (changes that come
     * in bursts are folded into one re-read). For list screens.
     */
    fun observe(query: ListQuery = ListQuery()): Flow<List<Summary>> = callbackFlow {
        // Subscribe first, then read: a write in between is never missed.
        val handle = subscribe { trySend(Unit) }
        send(Unit)
        awaitClose { handle.cancel() }
    }.buffer(CONFLATED)
        .map { list(query) }
        .flowOn(ffi.dispatcher)

    /** Subscribes on the current thread: call it from a producer already on the store's dispatcher (`flowOn`). */
    private suspend fun subscribe(onChange: (List<ItemChange>) -> Unit): Ffi<ObserverHandle> = ffi.callHere("subscribe") {
        val handle =
            subscribe(
                object : ChangeObserver {
                    override fun onChange(changes: List<ItemChange>) = onChange(changes)
                }
            )
        Ffi(handle, ffi.dispatcher)
    }

    // --- The clinical layer (docs/clinical.md) -------------------------------
    // Rapport is reviewed at sessions; it is not monitored in real time.

    /**
     * "Since we last met": the session summary of this record (or, on a
     * therapist's device, of [clientId]'s shared record), from [since]
     * (default: the last session) to [until] (default: [today]), both days
     * included.
     */
    suspend fun sessionSummary(clientId: String? = null, since: LocalDate? = null, until: LocalDate? = null, today: LocalDate = LocalDate.now()): SessionSummary =
        ffi.call("sessionSummary") { sessionSummary(whose(clientId), since, until, today) }

    /** Every entry from [since] to [until] (both included), oldest first. */
    suspend fun timeline(since: LocalDate, until: LocalDate, filter: TimelineFilter = TimelineFilter(), clientId: String? = null): List<TimelineEntry> =
        ffi.call("timeline") { timeline(whose(clientId), since, until, filter) }

    /** Gains, wins, warning signs and the plan for after, up to [until]. */
    suspend fun terminationReview(until: LocalDate = LocalDate.now(), clientId: String? = null): TerminationReview =
        ffi.call("terminationReview") { terminationReview(whose(clientId), until) }

    suspend fun afterCarePlan(): AfterCarePlan = ffi.call("afterCarePlan") { afterCarePlan() }

    suspend fun saveAfterCarePlan(plan: AfterCarePlan): AfterCarePlan = ffi.call("saveAfterCarePlan") { saveAfterCarePlan(plan) }

    /** Everything on this device as JSON: complete, re-importable. */
    suspend fun exportJson(): String = ffi.call("exportJson") { exportJson() }

    /** Imports an export; a damaged or newer file throws and changes nothing. */
    suspend fun importJson(json: String): ImportReport = ffi.call("importJson") { importJson(json) }

    /** The record as a readable Markdown document. */
    suspend fun exportMarkdown(clientId: String? = null): String = ffi.call("exportMarkdown") { exportMarkdown(whose(clientId)) }

    /** Deletes everything on this device for real; [SyncSession.deleteEverything] also deletes on the server. */
    suspend fun deleteEverything(): Long = ffi.call("deleteEverything") { deleteEverything() }.toLong()

    /**
     * Frees the Rust store soon rather than when the garbage collector runs:
     * the release is handed to the store's dispatcher (it may flush the file),
     * and waits there for calls still running.
     */
    override fun close() = ffi.release("RapportStore.close") { close() }
}

/** This device's own record, or a client's on a therapist's device. */
internal fun whose(clientId: String?): Whose = if (clientId == null) Whose.Mine else Whose.Client(clientId)

/** Ends a change subscription and frees its Rust handle, on the current (the flow's) thread. */
internal fun Ffi<ObserverHandle>.cancel() = callBlocking("ObserverHandle.cancel") { use { it.cancel() } }
