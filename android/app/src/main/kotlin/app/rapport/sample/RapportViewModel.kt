// State and actions of the sample app, over the idiomatic library only
// (app.rapport). Every library call is a suspend function that runs on the
// library's I/O dispatcher; the store is opened asynchronously, and a key that
// cannot be unwrapped leads to the recovery screen instead of a crash.
package app.rapport.sample

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import app.rapport.AccessLogEntry
import app.rapport.CareLink
import app.rapport.Channel
import app.rapport.CrisisResource
import app.rapport.Device
import app.rapport.Goal
import app.rapport.GoalLink
import app.rapport.GoalStatus
import app.rapport.Grant
import app.rapport.Initiator
import app.rapport.Interaction
import app.rapport.Invite
import app.rapport.ItemKind
import app.rapport.ListQuery
import app.rapport.PairingOffer
import app.rapport.Person
import app.rapport.RecordStore
import app.rapport.Rehearsal
import app.rapport.Ring
import app.rapport.SafetyAlert
import app.rapport.Session
import app.rapport.StoredGoal
import app.rapport.Summary
import app.rapport.SyncSession
import app.rapport.SyncStatus
import app.rapport.Win
import app.rapport.ffi.StoreException
import app.rapport.moodCheckIn
import app.rapport.phq9CheckIn
import app.rapport.sentence
import java.io.File
import java.time.Instant
import java.time.ZoneId
import java.util.Base64
import java.util.Locale
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.FlowPreview
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.debounce
import kotlinx.coroutines.flow.filterNotNull
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.flatMapLatest
import kotlinx.coroutines.flow.flowOf
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.mapLatest
import kotlinx.coroutines.flow.stateIn
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/** Where the app is: opening the record, ready, or unable to open it. */
sealed interface AppState {
    data object Opening : AppState

    data class Ready(val store: RecordStore) : AppState

    /** The kept key cannot be unwrapped (or does not open the record): show the recovery screen. */
    data class KeyLost(val reason: String) : AppState
}

@OptIn(FlowPreview::class, ExperimentalCoroutinesApi::class)
class RapportViewModel(private val app: Application) : AndroidViewModel(app) {
    private val dbFile = File(app.filesDir, DATABASE_FILE)
    private val databaseKey = KeystoreBox(app, KeystoreBox.DATABASE_KEY)
    private val sessionBox = KeystoreBox(app, KeystoreBox.SESSION)
    private val accountKeyBox = KeystoreBox(app, KeystoreBox.ACCOUNT_KEY)
    private val pendingAccountKeyBox = KeystoreBox(app, KeystoreBox.PENDING_ACCOUNT_KEY)
    private val settings = app.getSharedPreferences("rapport-settings", 0)

    private val _state = MutableStateFlow<AppState>(AppState.Opening)
    val state: StateFlow<AppState> = _state.asStateFlow()

    private val storeFlow: Flow<RecordStore?> = state.map { (it as? AppState.Ready)?.store }

    init {
        viewModelScope.launch { open() }
    }

    /** Opens the record off the main thread; a lost key becomes [AppState.KeyLost], not a crash. */
    private suspend fun open() {
        _state.value =
            try {
                val key =
                    withContext(Dispatchers.IO) {
                        databaseKey.read() ?: run {
                            // A record whose key is gone is unreadable: say so, never replace it silently.
                            if (dbFile.exists()) throw KeyUnavailableException("The key of this record is missing.", null)
                            RecordStore.newKey().also { databaseKey.write(it) }
                        }
                    }
                val store = RecordStore.openEncrypted(dbFile, key)
                key.fill(0)
                AppState.Ready(store).also { followDevice(it.store) }
            } catch (e: KeyUnavailableException) {
                AppState.KeyLost(e.sentence)
            } catch (e: StoreException.NotOurDatabase) {
                AppState.KeyLost(e.sentence)
            }
        (state.value as? AppState.Ready)?.let { resumeSession(it.store) }
    }

    /**
     * The recovery screen's way out: forget the unreadable record and its key
     * and start again (a synced record comes back by signing in).
     */
    fun startAgain() {
        viewModelScope.launch {
            withContext(Dispatchers.IO) {
                // The account key stays: signing in again brings back what was synced, and needs it.
                databaseKey.clear()
                sessionBox.clear()
                listOf("", "-wal", "-shm").forEach { File(dbFile.path + it).delete() }
            }
            _state.value = AppState.Opening
            open()
        }
    }

    /** The device's region (for crisis numbers) and time zone (for the client's days). */
    fun followDevice(store: RecordStore? = (state.value as? AppState.Ready)?.store) {
        store ?: return
        viewModelScope.launch {
            runCatching { store.setRegion(Locale.getDefault().country) }
            runCatching { store.setTimeZone(ZoneId.systemDefault().id) }
        }
    }

    private fun <T> Flow<T>.state(initial: T): StateFlow<T> = stateIn(viewModelScope, SharingStarted.WhileSubscribed(5_000), initial)

    private fun rows(query: ListQuery): StateFlow<List<Summary>> = storeFlow.flatMapLatest { it?.observe(query) ?: flowOf(emptyList()) }.state(emptyList())

    // --- Journal and search ---------------------------------------------------

    val journal: StateFlow<List<Summary>> = rows(ListQuery(kinds = JOURNAL_KINDS))

    val searchText = MutableStateFlow("")

    val searchResults: StateFlow<List<Summary>> =
        searchText
            .debounce(250)
            .mapLatest { text -> if (text.isBlank()) emptyList() else store().search(text) }
            .state(emptyList())

    val people: StateFlow<List<Summary>> = rows(ListQuery(kinds = listOf(ItemKind.PERSON), limit = 500u))

    val goals: StateFlow<List<StoredGoal>> =
        storeFlow
            .flatMapLatest { store ->
                store?.observe(ListQuery(kinds = listOf(ItemKind.GOAL)))?.map { rows -> store.io { rows.map { goal(it.id) } } }
                    ?: flowOf(emptyList())
            }.state(emptyList())

    private suspend fun store(): RecordStore = storeFlow.filterNotNull().first()

    // --- One-off things to show ----------------------------------------------

    private val _safetyAlert = MutableStateFlow<SafetyAlert?>(null)

    /** Crisis resources to show now; they come from the device, no network. */
    val safetyAlert: StateFlow<SafetyAlert?> = _safetyAlert.asStateFlow()

    private val _celebration = MutableStateFlow<String?>(null)
    val celebration: StateFlow<String?> = _celebration.asStateFlow()

    private val _message = MutableStateFlow<String?>(null)

    /** The last error of an action without a form of its own, as the Rust message. */
    val message: StateFlow<String?> = _message.asStateFlow()

    fun dismissSafetyAlert() {
        _safetyAlert.value = null
    }

    fun dismissCelebration() {
        _celebration.value = null
    }

    fun dismissMessage() {
        _message.value = null
    }

    /** The crisis resources for the "Get help now" sheet: own ones first, then the region's (offline). */
    suspend fun crisisResources(): List<CrisisResource> = store().crisisResources()

    /**
     * Runs a save; returns null when it is on disk, or the sentence to show.
     * Forms stay open with what was typed until this returns null.
     */
    suspend fun save(block: suspend RecordStore.() -> Unit): String? = try {
        store().block()
        null
    } catch (e: Exception) {
        e.sentence
    }

    /** For one-tap actions (a switch, a checkbox): a failure shows as [message]. */
    private fun act(block: suspend RecordStore.() -> Unit) {
        viewModelScope.launch { save(block)?.let { _message.value = it } }
    }

    // --- Journal --------------------------------------------------------------

    suspend fun logInteraction(personId: String, channel: Channel, whatIWanted: String, moodBefore: Int, moodAfter: Int): String? = save {
        add(
            Interaction(
                personId = personId,
                occurredAt = Instant.now(),
                channel = channel,
                initiatedBy = Initiator.ME,
                whatIWanted = whatIWanted,
                moodBefore = moodBefore,
                moodAfter = moodAfter
            )
        )
    }

    suspend fun logWin(title: String, goalId: String?): String? = save {
        val win = add(Win(occurredAt = Instant.now(), title = title, goal = goalId?.let { GoalLink(goalId = it) }))
        _celebration.value = win.win.title
    }

    /** A rehearsal of a hard conversation; a follow-up reminder asks later how it went. */
    suspend fun logRehearsal(personId: String, scenario: String, whatIWantToSay: String, confidenceBefore: Int): String? = save {
        add(
            Rehearsal(
                personId = personId,
                scenario = scenario,
                whatIWantToSay = whatIWantToSay,
                confidenceBefore = confidenceBefore,
                practicedAt = Instant.now()
            )
        )
        Reminders.scheduleRehearsalFollowUp(app)
    }

    /** A quick mood rating; "I'm in crisis" (or the alert the core returns) opens the crisis resources at once. */
    suspend fun checkInMood(rating: Int, event: String, crisis: Boolean): String? = save {
        val saved = checkIn(moodCheckIn(rating, event = event, crisis = crisis))
        saved.safetyAlert?.let { _safetyAlert.value = it }
    }

    fun setShared(id: String, shared: Boolean) = act { setShared(id, shared) }

    // --- Goals ------------------------------------------------------------------

    suspend fun addGoal(title: String): String? = save { add(Goal(title = title, status = GoalStatus.ACTIVE, setAt = Instant.now())) }

    suspend fun addMilestone(goalId: String, title: String): String? = save { addMilestone(goalId, title) }

    fun toggleMilestone(goalId: String, milestoneId: String, done: Boolean) = act { if (done) completeMilestone(goalId, milestoneId) else reopenMilestone(goalId, milestoneId) }

    suspend fun logBarrier(goalId: String, text: String): String? = save { logBarrier(goalId, text) }

    suspend fun logCourseCorrection(goalId: String, text: String): String? = save { logCourseCorrection(goalId, text) }

    // --- Inventory ----------------------------------------------------------------

    suspend fun addPerson(nickname: String, relationship: String, ring: Ring): String? = save { add(Person(nickname = nickname, relationship = relationship, ring = ring)) }

    // --- PHQ-9 ------------------------------------------------------------------

    /** Saves the nine answers; item 9 above 0 shows crisis resources at once. */
    suspend fun submitPhq9(answers: List<Int>): String? = save {
        val saved = checkIn(phq9CheckIn(answers))
        saved.safetyAlert?.let { _safetyAlert.value = it }
    }

    // --- Export and deleting ----------------------------------------------------

    /** Everything on this phone as JSON (complete, re-importable), for the share sheet. */
    suspend fun exportJson(): String = store().exportJson()

    /** Deletes everything: on the server and every device when signed in, else on this phone. */
    suspend fun deleteEverything(): String? = try {
        val sync = session.value
        if (sync != null) sync.deleteEverything() else store().deleteEverything()
        signOutLocally()
        // The account is gone: its key seals nothing any more.
        withContext(Dispatchers.IO) { accountKeyBox.clear() }
        null
    } catch (e: Exception) {
        e.sentence
    }

    // --- Sync ------------------------------------------------------------------

    private val session = MutableStateFlow<SyncSession?>(null)

    val signedIn: StateFlow<Boolean> = session.map { it != null }.state(false)

    val syncStatus: StateFlow<SyncStatus?> = session.flatMapLatest { it?.status ?: flowOf(null) }.state(null)

    /** The session kept in the Keystore from the last sign-in, resumed with no network. */
    private suspend fun resumeSession(store: RecordStore) {
        val server = settings.getString(SERVER_URL, null) ?: return
        val kept =
            try {
                withContext(Dispatchers.IO) { sessionBox.read() } ?: return
            } catch (e: KeyUnavailableException) {
                // Only the session is lost: sign in again; the record is fine.
                withContext(Dispatchers.IO) { sessionBox.clear() }
                _message.value = "Please sign in again."
                return
            }
        try {
            val sync = SyncSession.create(store, server, deviceName = android.os.Build.MODEL)
            // The account key first (everything synced is sealed with it), then the session.
            keptAccountKey()?.let { key ->
                sync.useAccountKey(key)
                key.fill(0)
            }
            sync.resume(Session.fromBytes(kept))
            session.value = sync
            _needsAccountKey.value = sync.accountKey() == null
            // A replacement of the account key stopped half-way: finish it before any sync.
            withContext(Dispatchers.IO) { runCatching { pendingAccountKeyBox.read() }.getOrNull() }?.let { next ->
                finishReplacement(sync, next)
            }
        } catch (e: Exception) {
            _message.value = e.sentence
        }
    }

    /** The account key from the Keystore; one that cannot be unwrapped is dropped (the kit or pairing brings it back). */
    private suspend fun keptAccountKey(): ByteArray? = withContext(Dispatchers.IO) {
        try {
            accountKeyBox.read()
        } catch (e: KeyUnavailableException) {
            accountKeyBox.clear()
            null
        }
    }

    /** Keeps the key [sync] holds now in the Keystore, beside the session. */
    private suspend fun keepAccountKey(sync: SyncSession) {
        val key = sync.accountKey() ?: return
        withContext(Dispatchers.IO) { accountKeyBox.write(key) }
        key.fill(0)
        _needsAccountKey.value = false
    }

    /**
     * Signs in (or creates the account); the session and the account key are
     * kept in the Keystore for the next launch. A new account's recovery kit
     * is shown once ([newRecoveryKit]). Signing in takes the account key from
     * [recoveryKit] if one was typed (checked before anything is sent), else
     * from this phone's Keystore, else this phone waits for the kit or for
     * pairing ([needsAccountKey]).
     */
    suspend fun signIn(serverUrl: String, email: String, password: String, createAccount: Boolean, recoveryKit: String = ""): String? {
        val sync =
            try {
                SyncSession.create(store(), serverUrl, deviceName = android.os.Build.MODEL)
            } catch (e: Exception) {
                return e.sentence
            }
        return try {
            val signed =
                if (createAccount) {
                    sync.signUp(email, password, displayName = email.substringBefore('@'))
                } else {
                    if (recoveryKit.isNotBlank()) {
                        sync.useRecoveryKit(recoveryKit)
                    } else {
                        keptAccountKey()?.let { key ->
                            sync.useAccountKey(key)
                            key.fill(0)
                        }
                    }
                    sync.signIn(email, password)
                }
            withContext(Dispatchers.IO) {
                sessionBox.write(signed.toBytes())
                settings.edit().putString(SERVER_URL, serverUrl).apply()
            }
            keepAccountKey(sync)
            if (createAccount) _newRecoveryKit.value = sync.recoveryKit()
            _needsAccountKey.value = sync.accountKey() == null
            session.value?.close()
            session.value = sync
            if (!_needsAccountKey.value) viewModelScope.launch { runCatching { sync.syncNow() } }
            null
        } catch (e: Exception) {
            sync.close()
            e.sentence
        }
    }

    // --- The account key: recovery kit, pairing, safety numbers -----------------

    private val _newRecoveryKit = MutableStateFlow<String?>(null)

    /** A new account's recovery kit, to show once right after sign-up. */
    val newRecoveryKit: StateFlow<String?> = _newRecoveryKit.asStateFlow()

    fun dismissNewRecoveryKit() {
        _newRecoveryKit.value = null
    }

    private val _needsAccountKey = MutableStateFlow(false)

    /** Signed in, but this phone has no account key yet: it asks for the recovery kit or pairing. */
    val needsAccountKey: StateFlow<Boolean> = _needsAccountKey.asStateFlow()

    private fun signedInSession(): SyncSession = requireNotNull(session.value) { "Sign in first." }

    /** The recovery kit, for settings (the screen asks the app lock first). */
    suspend fun recoveryKit(): String = signedInSession().recoveryKit()

    /** Takes the account key from a typed recovery kit; returns null or the sentence to show. */
    suspend fun useRecoveryKit(kit: String): String? = takeAccountKey { useRecoveryKit(kit) }

    /**
     * Seals the account key under [passphrase] (Argon2id, on this phone) and
     * keeps it on the server; returns the sentence to show.
     */
    suspend fun backUpAccountKey(passphrase: String): String = try {
        signedInSession().backUpAccountKey(passphrase)
        "Backed up. Keep the passphrase somewhere safe: it cannot be reset."
    } catch (e: Exception) {
        e.sentence
    }

    /** Takes the account key from the server's passphrase backup; returns null or the sentence to show. */
    suspend fun restoreAccountKey(passphrase: String): String? = takeAccountKey { restoreAccountKey(passphrase) }

    /** Takes the account key by [take], keeps it and syncs; returns null or the sentence to show. */
    private suspend fun takeAccountKey(take: suspend SyncSession.() -> Unit): String? = try {
        val sync = signedInSession()
        sync.take()
        keepAccountKey(sync)
        syncNow()
        null
    } catch (e: Exception) {
        e.sentence
    }

    /** The account's devices, for settings ("I lost a device"). */
    suspend fun devices(): List<Device> = signedInSession().devices()

    /**
     * A device was lost or stolen: signs it out, then replaces the account key
     * so that it reads nothing written from now on. The new key is kept in the
     * Keystore as pending first (a replacement stopped half-way is finished at
     * the next launch); the new recovery kit is then shown once. Returns the
     * sentence to show.
     */
    suspend fun cutOffLostDevice(deviceId: String): String = try {
        val sync = signedInSession()
        sync.revokeDevice(deviceId)
        val next = SyncSession.newAccountKey()
        withContext(Dispatchers.IO) { pendingAccountKeyBox.write(next) }
        finishReplacement(sync, next)
        "That device is cut off. Write down your new recovery kit; the old one no longer works. " +
            "Your other devices need the new kit (or pairing) to sync again."
    } catch (e: Exception) {
        e.sentence
    }

    private suspend fun finishReplacement(sync: SyncSession, next: ByteArray) {
        sync.replaceAccountKey(next)
        withContext(Dispatchers.IO) {
            accountKeyBox.write(next)
            pendingAccountKeyBox.clear()
        }
        next.fill(0)
        _newRecoveryKit.value = sync.recoveryKit()
    }

    /** This (new) phone's one-time pairing key; its offer goes to the other phone's screen as text or QR. */
    suspend fun newPairingOffer(): PairingOffer = PairingOffer.create()

    /**
     * The new phone takes the account key the other phone sealed to [offer]
     * (scanned or pasted as text) and returns the code to compare. The core
     * keeps the key at once: [rejectPairing] undoes it when the codes differ.
     */
    suspend fun acceptPairing(offer: PairingOffer, sealedText: String): String {
        val sync = signedInSession()
        val sealed =
            try {
                Base64.getDecoder().decode(sealedText.trim())
            } catch (e: IllegalArgumentException) {
                throw IllegalArgumentException("That is not the text the other phone shows; scan it again.", e)
            }
        val code = sync.acceptPairing(offer, sealed)
        keepAccountKey(sync)
        return code
    }

    /** The pairing codes differ: forget the key this phone just took, and the session that holds it; sign in again. */
    fun rejectPairing() {
        viewModelScope.launch {
            withContext(Dispatchers.IO) { accountKeyBox.clear() }
            runCatching { session.value?.signOut() }
            signOutLocally()
            _message.value = "The codes did not match, so this phone kept nothing. Sign in and try again."
        }
    }

    /** On a phone that has the key: seals it to a new phone's offer; returns the text to give it and the code both show. */
    suspend fun sealForPairing(offer: String): Pair<String, String> {
        val seal = signedInSession().sealForPairing(offer)
        return Base64.getEncoder().encodeToString(seal.sealed) to seal.code
    }

    /** The safety number of this account and a linked therapist's, to compare in session. */
    suspend fun safetyNumber(accountId: String): String = signedInSession().safetyNumber(accountId)

    fun syncNow() {
        val sync = session.value ?: return
        viewModelScope.launch {
            try {
                sync.refreshSharing()
                sync.syncNow()
            } catch (e: Exception) {
                _message.value = e.sentence
            }
        }
    }

    fun signOut() {
        val sync = session.value ?: return
        viewModelScope.launch {
            runCatching { sync.signOut() }.onFailure { _message.value = it.sentence }
            signOutLocally()
        }
    }

    private suspend fun signOutLocally() {
        session.value?.close()
        session.value = null
        _needsAccountKey.value = false
        withContext(Dispatchers.IO) { sessionBox.clear() }
    }

    // --- Sharing, invites, the access log --------------------------------------

    /** What the sharing screen shows, read together; null values when signed out. */
    data class Sharing(val links: List<CareLink> = emptyList(), val grants: List<Grant> = emptyList(), val accessLog: List<AccessLogEntry> = emptyList())

    /** Reads links, grants and the access log ("who read my data"), or throws with the Rust message. */
    suspend fun sharing(): Sharing {
        val sync = session.value ?: return Sharing()
        return Sharing(links = sync.links(), grants = sync.grants(), accessLog = sync.accessLog())
    }

    suspend fun createInvite(): Invite = requireNotNull(session.value) { "Sign in first." }.createInvite()

    suspend fun shareKind(therapistAccountId: String, kind: ItemKind) {
        requireNotNull(session.value) { "Sign in first." }.shareKind(therapistAccountId, kind)
    }

    suspend fun revokeGrant(grantId: String) = requireNotNull(session.value) { "Sign in first." }.revokeGrant(grantId)

    override fun onCleared() {
        session.value?.close()
        (state.value as? AppState.Ready)?.store?.close()
    }

    companion object {
        const val DATABASE_FILE = "rapport.db"
        private const val SERVER_URL = "server-url"
        val JOURNAL_KINDS =
            listOf(ItemKind.INTERACTION, ItemKind.WIN, ItemKind.REFLECTION, ItemKind.MOOD_CHECK_IN, ItemKind.PHQ9_CHECK_IN, ItemKind.REHEARSAL)
    }
}
