package app.rapport

import app.rapport.ffi.RapportSync
import app.rapport.ffi.SyncSettings
import app.rapport.ffi.SyncStatusObserver
import kotlinx.coroutines.channels.Channel.Factory.CONFLATED
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.flowOn

typealias Role = app.rapport.ffi.Role
typealias SyncStatus = app.rapport.ffi.SyncStatus
typealias SyncReport = app.rapport.ffi.SyncReport
typealias Device = app.rapport.ffi.Device
typealias Invite = app.rapport.ffi.Invite
typealias CareLink = app.rapport.ffi.CareLink
typealias Grant = app.rapport.ffi.Grant
typealias AccessLogEntry = app.rapport.ffi.AccessLogEntry

/**
 * Signs this device in and keeps one [RecordStore] in step with one sync
 * server. Every call is a `suspend` function that runs on the store's
 * dispatcher, never on the caller's thread; cancelling the calling coroutine
 * cancels the Rust work (the request is dropped). Calls throw
 * [SyncException] subclasses (`Offline`, `SignedOut`, `BadCredentials`, …)
 * whose message is the sentence to show. Writes made offline stay on the
 * device and go out at the next [syncNow].
 *
 * Keep the [Session] from [signUp]/[signIn] in the platform keystore (it
 * holds the device's token) and hand it to [resume] at the next launch.
 */
class SyncSession private constructor(private val ffi: Ffi<RapportSync>) : AutoCloseable {
    companion object {
        /**
         * Makes the sync client of [store] for one server (its threads start
         * here, on the store's dispatcher). Nothing is sent until a call.
         */
        suspend fun create(
            store: RecordStore,
            /** `https://…`; plain `http://` only to this device (loopback). */
            serverUrl: String,
            /** Shown in the account's device list. */
            deviceName: String,
            /** An extra trusted certificate (PEM), for a server with its own CA. */
            extraRootCertificatePem: String? = null
        ): SyncSession = store.ffi.call("RapportSync.new") {
            SyncSession(Ffi(RapportSync(this, SyncSettings(serverUrl, deviceName, extraRootCertificatePem)), store.ffi.dispatcher))
        }
    }

    /** The session in use, or null when signed out. */
    suspend fun session(): Session? = ffi.call("session") { session() }?.let(::Session)

    /** The status now (idle, syncing with progress, offline, error; last synced at). */
    suspend fun currentStatus(): SyncStatus = ffi.call("status") { status() }

    /**
     * The sync status, the current one first, then every change. Only the
     * latest matters to a screen, so a slow collector sees the newest status.
     */
    val status: Flow<SyncStatus>
        get() =
            callbackFlow {
                val handle =
                    ffi.callHere("subscribeStatus") {
                        subscribeStatus(
                            object : SyncStatusObserver {
                                override fun onStatus(status: SyncStatus) {
                                    trySend(status)
                                }
                            }
                        )
                    }
                awaitClose { Ffi(handle, ffi.dispatcher).callBlocking("StatusHandle.cancel") { use { it.cancel() } } }
            }.buffer(CONFLATED)
                .flowOn(ffi.dispatcher)

    /** Creates an account and signs this device in. */
    suspend fun signUp(email: String, password: String, displayName: String, role: Role = Role.CLIENT): Session =
        Session(ffi.call("signUp") { signUp(email, password, role, displayName) })

    /** Signs this device in to an existing account. */
    suspend fun signIn(email: String, password: String): Session = Session(ffi.call("signIn") { signIn(email, password) })

    /** Uses a session kept from an earlier sign-in (no network). */
    suspend fun resume(session: Session) = ffi.call("resume") { resume(session.info) }

    /** Signs this device out on the server and forgets the session. */
    suspend fun signOut() = ffi.call("signOut") { signOut() }

    /** Pushes this device's changes and pulls the others' until both sides are in step. */
    suspend fun syncNow(): SyncReport = ffi.call("syncNow") { syncNow() }

    /** Brings the server's grants in line with the items marked shared on this device. */
    suspend fun refreshSharing() = ffi.call("refreshSharing") { refreshSharing() }

    /** Shares every item of [kind] (now and later) with a linked therapist; with [personId], only items about that person. */
    suspend fun shareKind(therapistAccountId: String, kind: ItemKind, personId: String? = null): Grant = ffi.call("shareKind") { shareKind(therapistAccountId, kind, personId) }

    suspend fun grants(): List<Grant> = ffi.call("grants") { grants() }

    suspend fun revokeGrant(grantId: String) = ffi.call("revokeGrant") { revokeGrant(grantId) }

    /**
     * The client's preview of what the therapist will see: the session summary
     * of only the items shared one by one or through a kind grant.
     */
    suspend fun therapistViewSummary(from: java.time.LocalDate? = null, to: java.time.LocalDate? = null, today: java.time.LocalDate = java.time.LocalDate.now()): SessionSummary =
        ffi.call("therapistViewSummary") { therapistViewSummary(from?.toString(), to?.toString(), today.toString()) }

    /** Every read of shared data by a therapist, for the client to see. */
    suspend fun accessLog(): List<AccessLogEntry> = ffi.call("accessLog") { accessLog() }

    /** A client's short-lived, single-use code for a therapist to redeem. */
    suspend fun createInvite(): Invite = ffi.call("createInvite") { createInvite() }

    /** A therapist redeems a client's invite. */
    suspend fun redeemInvite(code: String): CareLink = ffi.call("redeemInvite") { redeemInvite(code) }

    suspend fun links(): List<CareLink> = ffi.call("links") { links() }

    suspend fun endLink(linkId: String) = ffi.call("endLink") { endLink(linkId) }

    suspend fun devices(): List<Device> = ffi.call("devices") { devices() }

    suspend fun revokeDevice(deviceId: String) = ffi.call("revokeDevice") { revokeDevice(deviceId) }

    /** A therapist's feedback note for a linked client; it goes out at the next sync. */
    suspend fun writeNote(note: Note): StoredNote = ffi.call("writeNote") { writeNote(note) }

    /** Deletes everything of this account, here, on the server and on every other device. */
    suspend fun deleteEverything(): Long = ffi.call("deleteEverything") { deleteEverything() }.toLong()

    /** Stops the sync client's threads soon (handed to the store's dispatcher). */
    override fun close() = ffi.release("RapportSync.close") { close() }
}
