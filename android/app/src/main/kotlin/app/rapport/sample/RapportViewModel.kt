// State and actions of the sample app, over the idiomatic library only
// (app.rapport). Store calls run on Dispatchers.IO through RecordStore.io;
// lists are Flows that re-read after every change, local or synced.
package app.rapport.sample

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import app.rapport.Channel
import app.rapport.GoalLink
import app.rapport.Interaction
import app.rapport.Initiator
import app.rapport.ItemKind
import app.rapport.ListQuery
import app.rapport.Person
import app.rapport.RecordStore
import app.rapport.Ring
import app.rapport.SafetyAlert
import app.rapport.StoredGoal
import app.rapport.Summary
import app.rapport.SyncSession
import app.rapport.SyncStatus
import app.rapport.Win
import app.rapport.Goal
import app.rapport.GoalStatus
import app.rapport.phq9CheckIn
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.FlowPreview
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.debounce
import kotlinx.coroutines.flow.flatMapLatest
import kotlinx.coroutines.flow.flowOf
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.mapLatest
import kotlinx.coroutines.flow.stateIn
import kotlinx.coroutines.launch
import java.io.File
import java.time.Instant

@OptIn(FlowPreview::class, ExperimentalCoroutinesApi::class)
class RapportViewModel(app: Application) : AndroidViewModel(app) {
    // A file in app-private storage, encrypted at rest with a key the Android
    // Keystore guards. (A production app opens it once, off the main thread,
    // in its dependency graph.)
    private val store = RecordStore.openEncrypted(File(app.filesDir, "rapport.db"), DatabaseKeyStore(app).key())

    private fun <T> Flow<T>.state(initial: T): StateFlow<T> =
        stateIn(viewModelScope, SharingStarted.WhileSubscribed(5_000), initial)

    // --- Journal and search ---------------------------------------------------

    val journal: StateFlow<List<Summary>> =
        store.observe(ListQuery(kinds = JOURNAL_KINDS)).state(emptyList())

    val searchText = MutableStateFlow("")

    val searchResults: StateFlow<List<Summary>> =
        searchText
            .debounce(250)
            .mapLatest { text -> if (text.isBlank()) emptyList() else store.io { search(text) } }
            .state(emptyList())

    val people: StateFlow<List<Summary>> =
        store.observe(ListQuery(kinds = listOf(ItemKind.PERSON), limit = 500u)).state(emptyList())

    val goals: StateFlow<List<StoredGoal>> =
        store
            .observe(ListQuery(kinds = listOf(ItemKind.GOAL)))
            .map { rows -> store.io { rows.map { goal(it.id) } } }
            .state(emptyList())

    // --- One-off things to show ----------------------------------------------

    private val _safetyAlert = MutableStateFlow<SafetyAlert?>(null)

    /** Crisis resources to show now; they come from the device, no network. */
    val safetyAlert: StateFlow<SafetyAlert?> = _safetyAlert.asStateFlow()

    private val _celebration = MutableStateFlow<String?>(null)
    val celebration: StateFlow<String?> = _celebration.asStateFlow()

    private val _message = MutableStateFlow<String?>(null)

    /** The last error, as the Rust message (a sentence a person can act on). */
    val message: StateFlow<String?> = _message.asStateFlow()

    fun dismissSafetyAlert() { _safetyAlert.value = null }
    fun dismissCelebration() { _celebration.value = null }
    fun dismissMessage() { _message.value = null }

    /** Runs a store call off the main thread; errors become [message]. */
    private fun write(block: RecordStore.() -> Unit) {
        viewModelScope.launch {
            try {
                store.io(block)
            } catch (e: Exception) {
                _message.value = e.message
            }
        }
    }

    // --- Journal --------------------------------------------------------------

    fun logInteraction(
        personId: String,
        channel: Channel,
        whatIWanted: String,
        moodBefore: Int,
        moodAfter: Int,
    ) = write {
        add(
            Interaction(
                personId = personId,
                occurredAt = Instant.now(),
                channel = channel,
                initiatedBy = Initiator.ME,
                whatIWanted = whatIWanted,
                moodBefore = moodBefore.toUByte(),
                moodAfter = moodAfter.toUByte(),
            ),
        )
    }

    fun logWin(
        title: String,
        goalId: String?,
    ) = write {
        val win = add(Win(occurredAt = Instant.now(), title = title, goal = goalId?.let { GoalLink(goalId = it) }))
        _celebration.value = win.win.title
    }

    fun setShared(
        id: String,
        shared: Boolean,
    ) = write { setShared(id, shared) }

    // --- Goals ------------------------------------------------------------------

    fun addGoal(title: String) = write { add(Goal(title = title, status = GoalStatus.ACTIVE, setAt = Instant.now())) }

    fun addMilestone(
        goalId: String,
        title: String,
    ) = write { addMilestone(goalId, title) }

    fun toggleMilestone(
        goalId: String,
        milestoneId: String,
        done: Boolean,
    ) = write { if (done) completeMilestone(goalId, milestoneId) else reopenMilestone(goalId, milestoneId) }

    fun logBarrier(
        goalId: String,
        text: String,
    ) = write { logBarrier(goalId, text) }

    fun logCourseCorrection(
        goalId: String,
        text: String,
    ) = write { logCourseCorrection(goalId, text) }

    // --- Inventory ----------------------------------------------------------------

    fun addPerson(
        nickname: String,
        relationship: String,
        ring: Ring,
    ) = write { add(Person(nickname = nickname, relationship = relationship, ring = ring)) }

    // --- PHQ-9 ------------------------------------------------------------------

    /** Saves the answers; item 9 above 0 shows crisis resources at once. */
    fun submitPhq9(answers: List<Int>) =
        write {
            val saved = checkIn(phq9CheckIn(answers))
            saved.safetyAlert?.let { _safetyAlert.value = it }
        }

    // --- Sync ------------------------------------------------------------------

    private val session = MutableStateFlow<SyncSession?>(null)

    val syncStatus: StateFlow<SyncStatus?> =
        session.flatMapLatest { it?.status ?: flowOf(null) }.state(null)

    /**
     * Signs in (or creates the account). A real app keeps the returned
     * session in the Android Keystore and calls `resume` at the next launch.
     */
    fun signIn(
        serverUrl: String,
        email: String,
        password: String,
        createAccount: Boolean,
    ) {
        viewModelScope.launch {
            val sync = SyncSession(store, serverUrl, deviceName = android.os.Build.MODEL)
            try {
                if (createAccount) sync.signUp(email, password, displayName = email.substringBefore('@'))
                else sync.signIn(email, password)
                session.value?.close()
                session.value = sync
                sync.syncNow()
            } catch (e: Exception) {
                if (session.value !== sync) sync.close()
                _message.value = e.message
            }
        }
    }

    fun syncNow() {
        val sync = session.value ?: return
        viewModelScope.launch {
            try {
                sync.refreshSharing()
                sync.syncNow()
            } catch (e: Exception) {
                _message.value = e.message
            }
        }
    }

    override fun onCleared() {
        session.value?.close()
        store.close()
    }

    companion object {
        val JOURNAL_KINDS =
            listOf(ItemKind.INTERACTION, ItemKind.WIN, ItemKind.REFLECTION, ItemKind.MOOD_CHECK_IN, ItemKind.PHQ9_CHECK_IN)
    }
}
