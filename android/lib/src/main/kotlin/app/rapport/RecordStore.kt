// The idiomatic Kotlin layer over the generated bindings (package app.rapport.ffi).
// App code uses this package; the generated one stays an implementation detail.
// Plain Kotlin/JVM: compiled by the Android library and by android/jvm (Maven).
package app.rapport

import app.rapport.ffi.ChangeObserver
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
import java.io.File
import java.time.Instant
import java.time.LocalDate
import app.rapport.ffi.RapportStore as FfiStore

/**
 * The client's IPT record on this device: one file, every item kind, list and
 * search, and a [Flow] of changes.
 *
 * Calls are local and blocking (a write returns once it is on disk): call them
 * off the main thread, or through [io] from a coroutine. Errors are thrown as
 * [StoreException] subclasses whose message is the sentence to show.
 * Close the store when done with it ([AutoCloseable]).
 */
class RecordStore private constructor(
    internal val ffi: FfiStore,
    private val dispatcher: CoroutineDispatcher,
) : AutoCloseable {
    companion object {
        /**
         * Opens (or creates) the record at [path], a file in the app's private
         * storage.
         *
         * @throws StoreException.UnusableFile if the file is not a Rapport record.
         */
        fun open(
            path: File,
            dispatcher: CoroutineDispatcher = Dispatchers.IO,
        ): RecordStore = RecordStore(FfiStore.open(path.path), dispatcher)

        /**
         * Opens (or creates) the record at [path], encrypted at rest with
         * [key]: 32 bytes made once by [newKey] and kept by the Android
         * Keystore, never written in clear.
         *
         * @throws StoreException.UnusableFile if the key is wrong or the file
         *   is not a Rapport record (nothing is changed).
         */
        fun openEncrypted(
            path: File,
            key: ByteArray,
            dispatcher: CoroutineDispatcher = Dispatchers.IO,
        ): RecordStore = RecordStore(FfiStore.openEncrypted(path.path, key), dispatcher)

        /** A new random 32-byte key for [openEncrypted]. */
        fun newKey(): ByteArray = app.rapport.ffi.newDatabaseKey()

        /** [open], off the calling thread (opening may migrate the file). */
        suspend fun openAsync(
            path: File,
            dispatcher: CoroutineDispatcher = Dispatchers.IO,
        ): RecordStore = withContext(dispatcher) { open(path, dispatcher) }
    }

    /** The file this record lives in. */
    val path: File get() = File(ffi.path())

    /**
     * Runs blocking store calls on the I/O dispatcher:
     * `val wins = store.io { list(ListQuery(kinds = listOf(ItemKind.WIN))) }`.
     */
    suspend fun <T> io(block: RecordStore.() -> T): T = withContext(dispatcher) { block() }

    // --- Any item -----------------------------------------------------------

    /** Items newest first; see [ListQuery] for filters and paging. */
    fun list(query: ListQuery = ListQuery()): List<Summary> = ffi.list(query)

    /** Items of these kinds, newest first. */
    fun list(vararg kinds: ItemKind): List<Summary> = ffi.list(ListQuery(kinds = kinds.toList()))

    /** Full-text search over every text field, best match first; plain words, each a prefix. */
    fun search(
        text: String,
        limit: Int = 50,
    ): List<Summary> = ffi.search(text, limit.coerceIn(0, 500).toUInt())

    /** The list row of one item, or null if there is none (or it was deleted). */
    fun summary(id: String): Summary? = ffi.summary(id)

    fun kindOf(id: String): ItemKind = ffi.kindOf(id)

    /** Deletes an item of any kind, on every device once synced. */
    fun delete(id: String) = ffi.deleteItem(id)

    /** Shares an item with the therapist, or makes it private again. */
    fun setShared(
        id: String,
        shared: Boolean,
    ) = ffi.setShared(id, shared)

    // --- The journal --------------------------------------------------------

    fun add(interaction: Interaction): StoredInteraction = ffi.addInteraction(interaction)

    fun update(
        id: String,
        interaction: Interaction,
    ): StoredInteraction = ffi.updateInteraction(id, interaction)

    fun interaction(id: String): StoredInteraction = ffi.getInteraction(id)

    fun add(win: Win): StoredWin = ffi.addWin(win)

    fun update(
        id: String,
        win: Win,
    ): StoredWin = ffi.updateWin(id, win)

    fun win(id: String): StoredWin = ffi.getWin(id)

    fun add(reflection: Reflection): StoredReflection = ffi.addReflection(reflection)

    fun update(
        id: String,
        reflection: Reflection,
    ): StoredReflection = ffi.updateReflection(id, reflection)

    fun reflection(id: String): StoredReflection = ffi.getReflection(id)

    // --- Goals --------------------------------------------------------------

    fun add(goal: Goal): StoredGoal = ffi.addGoal(goal)

    /** Replaces the whole goal; prefer the milestone and course-log calls below. */
    fun update(
        id: String,
        goal: Goal,
    ): StoredGoal = ffi.updateGoal(id, goal)

    fun goal(id: String): StoredGoal = ffi.getGoal(id)

    /** Adds a milestone at the end; returns the goal with it. */
    fun addMilestone(
        goalId: String,
        title: String,
    ): StoredGoal = ffi.addMilestone(goalId, title)

    fun renameMilestone(
        goalId: String,
        milestoneId: String,
        title: String,
    ): StoredGoal = ffi.renameMilestone(goalId, milestoneId, title)

    fun completeMilestone(
        goalId: String,
        milestoneId: String,
        at: Instant = Instant.now(),
    ): StoredGoal = ffi.completeMilestone(goalId, milestoneId, at)

    fun reopenMilestone(
        goalId: String,
        milestoneId: String,
    ): StoredGoal = ffi.reopenMilestone(goalId, milestoneId)

    fun removeMilestone(
        goalId: String,
        milestoneId: String,
    ): StoredGoal = ffi.removeMilestone(goalId, milestoneId)

    /** Puts the milestones in this order; it must name each exactly once. */
    fun reorderMilestones(
        goalId: String,
        milestoneIds: List<String>,
    ): StoredGoal = ffi.reorderMilestones(goalId, milestoneIds)

    fun setGoalStatus(
        goalId: String,
        status: GoalStatus,
    ): StoredGoal = ffi.setGoalStatus(goalId, status)

    /** Logs what got in the way of a goal. */
    fun logBarrier(
        goalId: String,
        text: String,
        at: Instant = Instant.now(),
    ): StoredGoal = ffi.logBarrier(goalId, text, at)

    /** Logs how the plan for a goal changes. */
    fun logCourseCorrection(
        goalId: String,
        text: String,
        at: Instant = Instant.now(),
    ): StoredGoal = ffi.logCourseCorrection(goalId, text, at)

    // --- The interpersonal inventory -----------------------------------------

    fun add(person: Person): StoredPerson = ffi.addPerson(person)

    fun update(
        id: String,
        person: Person,
    ): StoredPerson = ffi.updatePerson(id, person)

    fun person(id: String): StoredPerson = ffi.getPerson(id)

    /** Every person of the inventory (at most 500), as list rows. */
    fun inventory(): List<Summary> = ffi.list(ListQuery(kinds = listOf(ItemKind.PERSON), limit = 500u))

    /** Records that a role dispute with this person moved to [stage]. */
    fun setDisputeStage(
        personId: String,
        stage: DisputeStage,
        note: String = "",
        at: Instant = Instant.now(),
    ): StoredPerson = ffi.setDisputeStage(personId, stage, at, note)

    // --- The profile --------------------------------------------------------

    /** The profile, or the default one (12 sessions, initial phase) until saved. */
    fun profile(): Profile = ffi.profile()

    fun saveProfile(profile: Profile): StoredProfile = ffi.saveProfile(profile)

    // --- Check-ins and safety ------------------------------------------------

    /**
     * Saves a mood rating. A check-in marked as a crisis comes back with a
     * [SafetyAlert]: show its resources at once (they are on the device).
     */
    fun checkIn(mood: MoodCheckIn): MoodCheckInSaved = ffi.checkInMood(mood)

    /**
     * Saves a PHQ-9. Item 9 above 0 comes back with a [SafetyAlert]: show its
     * resources at once (on the device, no network); the flag reaches the
     * therapist at the next review, not in real time.
     */
    fun checkIn(phq9: Phq9CheckIn): Phq9CheckInSaved = ffi.checkInPhq9(phq9)

    fun moodCheckIn(id: String): StoredMoodCheckIn = ffi.getMoodCheckIn(id)

    fun phq9CheckIn(id: String): StoredPhq9CheckIn = ffi.getPhq9CheckIn(id)

    /** The crisis resources of this device (never synced, never empty). */
    var crisisResources: List<CrisisResource>
        get() = ffi.crisisResources()
        set(value) = ffi.setCrisisResources(value)

    // --- Rehearsals and notes -------------------------------------------------

    fun add(rehearsal: Rehearsal): StoredRehearsal = ffi.addRehearsal(rehearsal)

    fun update(
        id: String,
        rehearsal: Rehearsal,
    ): StoredRehearsal = ffi.updateRehearsal(id, rehearsal)

    fun rehearsal(id: String): StoredRehearsal = ffi.getRehearsal(id)

    /** A therapist's feedback note (read-only here). */
    fun note(id: String): StoredNote = ffi.getNote(id)

    // --- Observing --------------------------------------------------------------

    /**
     * Batches of changed items: one list per local write or applied sync page,
     * delivered in order, none dropped. Collecting subscribes; cancelling the
     * collector cancels the subscription.
     */
    fun changes(): Flow<List<ItemChange>> =
        callbackFlow {
            val handle =
                ffi.subscribe(
                    object : ChangeObserver {
                        // Called on the thread that wrote or synced.
                        override fun onChange(changes: List<ItemChange>) {
                            trySend(changes)
                        }
                    },
                )
            awaitClose {
                // cancel() ends it now; close() frees the handle.
                handle.use { it.cancel() }
            }
        }.buffer(UNLIMITED)

    /**
     * The rows of [query], now and again after every change (changes that come
     * in bursts are folded into one re-read). For list screens.
     */
    fun observe(query: ListQuery = ListQuery()): Flow<List<Summary>> =
        callbackFlow {
            // Subscribe first, then read: a write in between is never missed.
            val handle =
                ffi.subscribe(
                    object : ChangeObserver {
                        override fun onChange(changes: List<ItemChange>) {
                            trySend(Unit)
                        }
                    },
                )
            send(Unit)
            awaitClose { handle.use { it.cancel() } }
        }.buffer(CONFLATED)
            .map { list(query) }
            .flowOn(dispatcher)

    // --- The clinical layer (docs/clinical.md) -------------------------------
    // Rapport is reviewed at sessions; it is not monitored in real time.

    /**
     * "Since we last met": the session summary of this record (or, on a
     * therapist's device, of [clientId]'s shared record), from [from] (default:
     * the last session) to [to] (default: [today]), both days included.
     */
    fun sessionSummary(
        clientId: String? = null,
        from: LocalDate? = null,
        to: LocalDate? = null,
        today: LocalDate = LocalDate.now(),
    ): SessionSummary = ffi.sessionSummary(clientId, from?.toString(), to?.toString(), today.toString())

    /** Every entry from [from] to [to] (both included), oldest first. */
    fun timeline(
        from: LocalDate,
        to: LocalDate,
        filter: TimelineFilter = TimelineFilter(),
        clientId: String? = null,
    ): List<TimelineEntry> = ffi.timeline(clientId, from.toString(), to.toString(), filter)

    /** Gains, wins, warning signs and the plan for after, up to [until]. */
    fun terminationReview(
        until: LocalDate = LocalDate.now(),
        clientId: String? = null,
    ): TerminationReview = ffi.terminationReview(clientId, until.toString())

    fun afterCarePlan(): AfterCarePlan = ffi.afterCarePlan()

    fun saveAfterCarePlan(plan: AfterCarePlan): AfterCarePlan = ffi.saveAfterCarePlan(plan)

    /** Everything on this device as JSON: complete, re-importable. */
    fun exportJson(): String = ffi.exportJson()

    /** Imports an export; a damaged or newer file throws and changes nothing. */
    fun importJson(json: String): ImportReport = ffi.importJson(json)

    /** The record as a readable Markdown document. */
    fun exportMarkdown(clientId: String? = null): String = ffi.exportMarkdown(clientId)

    /** Deletes everything on this device for real; [SyncSession.deleteEverything] also deletes on the server. */
    fun deleteEverything(): Long = ffi.deleteEverything().toLong()

    /** Frees the Rust store now rather than when the garbage collector runs. */
    override fun close() = ffi.close()
}
