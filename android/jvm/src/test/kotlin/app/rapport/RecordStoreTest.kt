// The idiomatic layer on the desktop JVM against the host-built library:
// every record kind written and read back, lists and search, the PHQ-9
// safety path, typed errors with the Rust message, and the change Flow.
package app.rapport

import app.rapport.core.ChangeOp
import app.rapport.core.CrisisContact
import app.rapport.ffi.StoreException
import java.io.File
import java.time.Instant
import kotlin.concurrent.thread
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.channels.Channel as CoroutineChannel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

class RecordStoreTest {
    @TempDir
    lateinit var dir: File
    private lateinit var store: RecordStore

    /** Times the record keeps exactly (it stores milliseconds). */
    private fun at(minute: Long): Instant = Instant.parse("2025-07-14T09:00:00.123Z").plusSeconds(60 * minute)

    @BeforeEach
    fun open() {
        store = runBlocking { RecordStore.open(File(dir, "record.db")) }
    }

    @AfterEach
    fun close() = store.close()

    private suspend fun sam(): StoredPerson = store.add(
        Person(
            nickname = "Sam",
            relationship = "partner",
            ring = Ring.INNER,
            gives = "warmth",
            goesWrong = "chores"
        )
    )

    @Test
    fun `every record kind is written and read back`() = onMainThread {
        val sam = sam()
        assertEquals(sam, store.person(sam.meta.id))
        assertNull(sam.disputeStage)
        val disputed = store.setDisputeStage(sam.meta.id, DisputeStage.IMPASSE, note = "stuck", at = at(0))
        assertEquals(DisputeStage.IMPASSE, disputed.disputeStage)

        val goal = store.add(Goal(title = "Ask Sam for help", status = GoalStatus.ACTIVE, setAt = at(1), personIds = listOf(sam.meta.id)))
        val goalId = goal.meta.id
        store.addMilestone(goalId, "Pick a calm moment")
        val withTwo = store.addMilestone(goalId, "Use an I statement")
        val (first, second) = withTwo.goal.orderedMilestones.map { it.first }
        assertEquals(listOf("Use an I statement", "Pick a calm moment"), store.reorderMilestones(goalId, listOf(second, first)).goal.orderedMilestones.map { it.second.title })
        assertEquals(1, store.completeMilestone(goalId, second, at(2)).goal.milestonesDone)
        store.logBarrier(goalId, "Sam was tired", at(3))
        val corrected = store.logCourseCorrection(goalId, "Try on Saturday morning", at(4))
        assertEquals(listOf(CourseEventKind.BARRIER, CourseEventKind.COURSE_CORRECTION), corrected.goal.courseLog.map { it.kind })
        assertEquals(GoalStatus.ACHIEVED, store.setGoalStatus(goalId, GoalStatus.ACHIEVED).goal.status)
        assertEquals(store.goal(goalId).goal, store.update(goalId, store.goal(goalId).goal).goal)

        val interaction =
            Interaction(
                personId = sam.meta.id,
                occurredAt = at(5),
                channel = Channel.IN_PERSON,
                initiatedBy = Initiator.ME,
                whatIWanted = "help with the dishes",
                whatISaid = "I feel tired when the dishes pile up",
                feelings = listOf(feeling("relieved", 6)),
                moodBefore = 4,
                moodAfter = 7,
                gotWhatIWanted = GotWhatIWanted.PARTLY,
                relationship = RelationshipChange.BETTER,
                options = listOf("write a rota"),
                chosenOption = "write a rota",
                skillsUsed = listOf("I statements"),
                goal = GoalLink(goalId = goalId, milestoneId = second)
            )
        val storedInteraction = store.add(interaction)
        assertEquals(interaction, store.interaction(storedInteraction.meta.id).interaction)
        assertEquals(ItemKind.INTERACTION, store.kindOf(storedInteraction.meta.id))
        val calmer = interaction.copy(moodAfter = 8)
        assertEquals(calmer, store.update(storedInteraction.meta.id, calmer).interaction)

        val win = Win(occurredAt = at(6), title = "Asked without shouting", goal = GoalLink(goalId = goalId))
        assertEquals(win, store.win(store.add(win).meta.id).win)

        val reflection = Reflection(writtenAt = at(7), text = "Mornings are better", personId = sam.meta.id)
        assertEquals(reflection, store.reflection(store.add(reflection).meta.id).reflection)

        val rehearsal =
            Rehearsal(
                personId = sam.meta.id,
                scenario = "The holidays",
                whatIWantToSay = "Let us choose together",
                confidenceBefore = 3,
                confidenceAfter = 6,
                practicedAt = at(8),
                outcomeInteractionId = storedInteraction.meta.id
            )
        assertEquals(rehearsal, store.rehearsal(store.add(rehearsal).meta.id).rehearsal)

        val mood = store.checkIn(moodCheckIn(3, event = "argument about chores", at = at(9)))
        assertNull(mood.safetyAlert)
        assertEquals(3, store.moodCheckIn(mood.item.meta.id).checkIn.rating)

        val phq9 = store.checkIn(phq9CheckIn(listOf(1, 2, 1, 1, 0, 1, 2, 0, 0), at = at(10)))
        assertEquals(8, phq9.item.total)
        assertEquals(Phq9Severity.MILD, phq9.item.severity)
        val readBack = store.phq9CheckIn(phq9.item.meta.id)
        assertEquals(listOf(1, 2, 1, 1, 0, 1, 2, 0, 0), readBack.checkIn.items)
        assertEquals(phq9.item.meta, readBack.meta)

        assertEquals(12, store.profile().sessionCount)
        val profile =
            Profile(
                problemArea = ProblemArea.ROLE_DISPUTE,
                formulation = "Low mood since the dispute with Sam",
                formulationAcceptedOn = java.time.LocalDate.parse("2025-06-20"),
                sessionCount = 16,
                phase = Phase.MIDDLE,
                currentSession = 5,
                lastSessionOn = java.time.LocalDate.parse("2025-07-11")
            )
        store.saveProfile(profile)
        assertEquals(profile, store.profile())
    }

    @Test
    fun `lists filter by kind, person and time, and search finds words`() = onMainThread {
        val sam = sam().meta.id
        val alex = store.add(Person(nickname = "Alex", ring = Ring.MIDDLE)).meta.id
        listOf(sam to "talk about the holidays", alex to "lunch plans", sam to "the dishes").forEachIndexed { n, (who, what) ->
            store.add(Interaction(personId = who, occurredAt = at(n.toLong()), channel = Channel.PHONE, initiatedBy = Initiator.THEM, whatIWanted = what))
        }
        store.add(Win(occurredAt = at(5), title = "Holidays agreed"))

        assertEquals(6, store.list().size)
        assertEquals(listOf("the dishes", "lunch plans", "talk about the holidays"), store.list(ItemKind.INTERACTION).map { it.title })
        assertEquals(listOf("Alex", "Sam").sorted(), store.inventory().map { it.title }.sorted())
        val samSince = store.list(ListQuery(personId = sam, since = at(1)))
        assertEquals(listOf("the dishes"), samSince.map { it.title })
        assertEquals(at(2), samSince.single().at)
        val page = store.listPage(ListQuery(offset = 1u, limit = 2u))
        assertEquals(2, page.items.size)
        assertEquals(6uL, page.total)
        assertNull(store.ownerOf(sam))

        val found = store.search("holiday")
        assertEquals(setOf(ItemKind.INTERACTION, ItemKind.WIN), found.map { it.kind }.toSet())
        assertTrue(store.search("nothing-like-this").isEmpty())

        val id = found.first().id
        store.setShared(id, true)
        assertTrue(store.summary(id)!!.shared)
        store.delete(id)
        assertNull(store.summary(id))
    }

    @Test
    fun `the device region picks dialable crisis lines and the time zone is checked`() = onMainThread {
        // Before the app says where it is: an instruction, never a number.
        val none = store.crisisResources()
        assertEquals(listOf(CrisisContact.Instruction), none.map { it.contact })
        assertNull(none.single().uri())

        store.setRegion("us")
        assertEquals("US", store.region())
        val uris = store.crisisResources().map { it.uri() }
        assertEquals(listOf("tel:988", "https://988lifeline.org/chat/", "tel:911"), uris)
        val bad = assertThrowsSuspend<StoreException.Invalid> { store.setRegion("United States") }
        assertEquals("region", bad.field)

        store.setTimeZone("America/Los_Angeles")
        assertEquals("America/Los_Angeles", store.timeZone())
        assertThrowsSuspend<StoreException.Invalid> { store.setTimeZone("Mars/Olympus_Mons") }
        assertEquals("America/Los_Angeles", store.timeZone())
    }

    @Test
    fun `PHQ-9 item 9 above 0 returns crisis resources at once, with no network`() = onMainThread {
        store.setCrisisResources(
            listOf(CrisisResource("Samaritans", CrisisContact.Phone("116 123"), "", null))
        )
        val saved = store.checkIn(phq9CheckIn(listOf(0, 1, 0, 1, 0, 0, 0, 0, 1)))
        val alert = checkNotNull(saved.safetyAlert) { "no safety alert" }
        assertEquals(AlertReason.PHQ9_ITEM9, alert.reason)
        // Normalised by the core, with the URI the app dials; then the
        // region's defaults (none set here: the plain instruction, no number).
        assertEquals(
            CrisisResource("Samaritans", CrisisContact.Phone("116123"), "", null),
            alert.resources.first()
        )
        assertEquals(listOf("tel:116123", null), alert.resources.map { it.uri() })
        assertTrue(alert.message.contains("not monitored in real time"), alert.message)

        val crisis = store.checkIn(moodCheckIn(1, crisis = true))
        assertEquals(AlertReason.MOOD_CRISIS, crisis.safetyAlert?.reason)
        assertNull(store.checkIn(phq9CheckIn(List(9) { 0 })).safetyAlert)
    }

    @Test
    fun `the clinical layer summarises, exports, imports and deletes`() = onMainThread {
        val day = java.time.LocalDate.parse("2025-07-14")
        store.checkIn(phq9CheckIn(listOf(2, 2, 1, 1, 1, 1, 1, 1, 1), at = at(1)))
        store.add(Win(occurredAt = at(2), title = "Said no kindly"))

        val summary = store.sessionSummary(since = day, until = day, today = day)
        // Calendar days cross as LocalDate; the range is half-open.
        assertEquals(day, summary.range.start)
        assertEquals(day.plusDays(1), summary.range.end)
        assertEquals(listOf(11), summary.phq9.map { it.total })
        assertEquals(listOf(AlertReason.PHQ9_ITEM9), summary.safetyFlags.map { it.reason })
        assertEquals(listOf("Said no kindly"), summary.wins.map { it.title })
        assertEquals(2, store.timeline(day, day).size)

        val json = store.exportJson()
        assertTrue(store.exportMarkdown().contains("Said no kindly"))
        RecordStore.open(File(dir, "restored.db")).use { restored ->
            restored.importJson(json)
            assertEquals(store.list().map { it.id }.toSet(), restored.list().map { it.id }.toSet())
            assertThrowsSuspend<StoreException.Malformed> { restored.importJson(json.dropLast(20)) }
        }
        assertEquals(2L, store.deleteEverything())
        assertEquals(emptyList<Summary>(), store.list())
    }

    @Test
    fun `errors arrive as typed exceptions carrying the Rust message`() = onMainThread {
        // Whatever the size, a bad rating is the same typed error, with its field.
        for (rating in listOf(11, 300, -1, Int.MAX_VALUE)) {
            val invalid = assertThrowsSuspend<StoreException.Invalid> { store.checkIn(moodCheckIn(rating)) }
            assertEquals("rating", invalid.field)
            assertEquals("must be between 0 and 10, got $rating", invalid.reason)
            assertEquals("rating: must be between 0 and 10, got $rating", invalid.toString())
        }

        val notFound = assertThrowsSuspend<StoreException.NotFound> { store.goal("no-such-goal") }
        assertEquals("goal", notFound.kind)
        assertEquals("no-such-goal", notFound.id)
        assertEquals("no goal with id no-such-goal", notFound.toString())

        val badCount = assertThrowsSuspend<StoreException.Invalid> { store.saveProfile(store.profile().copy(sessionCount = 300)) }
        assertEquals("session_count", badCount.field)

        val text = File(dir, "notes.txt").apply { writeText("Not a database: just a few words, long enough to be a file.\n") }
        val unusable = assertThrowsSuspend<StoreException.NotOurDatabase> { RecordStore.open(text) }
        assertEquals(false, unusable.wrongKey)
        assertEquals(text.path, unusable.path)
    }

    @Test
    fun `an encrypted record opens only with its key`() = onMainThread {
        val file = File(dir, "secret.db")
        val key = RecordStore.newKey()
        assertEquals(32, key.size)
        val win =
            RecordStore.openEncrypted(file, key).use { secret ->
                secret.add(Win(occurredAt = at(1), title = "Asked for help"))
            }
        val wrong = assertThrowsSuspend<StoreException.NotOurDatabase> { RecordStore.openEncrypted(file, RecordStore.newKey()) }
        assertEquals(true, wrong.wrongKey)
        assertThrowsSuspend<StoreException.Invalid> { RecordStore.openEncrypted(file, ByteArray(3)) }
        RecordStore.openEncrypted(file, key).use { reopened ->
            assertEquals("Asked for help", reopened.win(win.meta.id).win.title)
        }
    }

    @Test
    fun `the change flow fires once per write, from any thread, and stops after cancel`() = onMainThread {
        val received = CoroutineChannel<List<ItemChange>>(CoroutineChannel.UNLIMITED)
        val collector = launch { store.changes().collect { received.send(it) } }
        withTimeout(5_000) {
            // The subscription is live once a write is seen; write until then.
            var sam: String
            do {
                sam = sam().meta.id
            } while (withTimeoutOrNull(200) { received.receive() } == null)
            while (withTimeoutOrNull(100) { received.receive() } != null) Unit
            store.setShared(sam, true)
            assertEquals(listOf(ItemChange(sam, ItemKind.PERSON, ChangeOp.UPSERTED)), received.receive())
            thread { runBlocking { store.delete(sam) } }.join()
            assertEquals(listOf(ItemChange(sam, ItemKind.PERSON, ChangeOp.REMOVED)), received.receive())
        }
        collector.cancelAndJoin()
        sam()
        assertNull(withTimeoutOrNull(300) { received.receive() })
    }

    @Test
    fun `observe re-reads a list after each change`() = onMainThread {
        val wins = store.observe(ListQuery(kinds = listOf(ItemKind.WIN)))
        assertEquals(emptyList<Summary>(), wins.first())
        withTimeout(5_000) {
            val seen = CoroutineChannel<List<Summary>>(CoroutineChannel.UNLIMITED)
            val collector = launch { wins.collect { seen.send(it) } }
            assertEquals(0, seen.receive().size)
            store.add(Win(occurredAt = at(0), title = "Said no kindly"))
            var rows = seen.receive()
            while (rows.isEmpty()) rows = seen.receive()
            assertEquals(listOf("Said no kindly"), rows.map { it.title })
            collector.cancelAndJoin()
        }
    }

    @Test
    fun `io runs several calls in one hop, and open is off the calling thread too`() = onMainThread { log ->
        val saved = store.io { add(Win(occurredAt = at(0), title = "Called Mum back")) }
        assertEquals("Called Mum back", store.io { win(saved.meta.id) }.win.title)
        RecordStore.open(File(dir, "other.db")).use { other -> assertTrue(other.list().isEmpty()) }
        assertTrue(log.calls.map { it.first }.containsAll(listOf("addWin", "getWin", "RapportStore.open", "list")), "${log.calls}")
    }

    @Test
    fun `the main-thread check catches a call made on the main thread`() {
        // A store given the main thread as its dispatcher is what a library
        // that called Rust on the caller's thread would look like.
        val log =
            runOnMainThread {
                val main = checkNotNull(coroutineContext[CoroutineDispatcher])
                val refused = assertThrowsSuspend<IllegalStateException> { RecordStore.open(File(dir, "main.db"), dispatcher = main) }
                assertEquals("FFI call RapportStore.open on the main thread", refused.message)
            }
        assertEquals(listOf("RapportStore.open"), log.onMain)
    }
}
