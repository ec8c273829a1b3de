package app.rapport

import app.rapport.ffi.RapportSync
import app.rapport.ffi.SyncSettings
import app.rapport.ffi.SyncStatusObserver
import kotlinx.coroutines.channels.Channel.Factory.CONFLATED
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow

typealias Role = app.rapport.ffi.Role
typealias SessionInfo = app.rapport.ffi.SessionInfo
typealias SyncStatus = app.rapport.ffi.SyncStatus
typealias SyncReport = app.rapport.ffi.SyncReport
typealias Device = app.rapport.ffi.Device
typealias Invite = app.rapport.ffi.Invite
typealias CareLink = app.rapport.ffi.CareLink
typealias Grant = app.rapport.ffi.Grant
typealias AccessLogEntry = app.rapport.ffi.AccessLogEntry

/**
 * Signs this device in and keeps one [RecordStore] in step with one sync
 * server. Network calls are `suspend` functions and never block the caller's
 * thread (the Rust side runs them on its own threads); they throw
 * [SyncException] subclasses (`Offline`, `SignedOut`, `BadCredentials`, …)
 * whose message is the sentence to show. Writes made offline stay on the
 * device and go out at the next [syncNow].
 *
 * Keep the [SessionInfo] from [signUp]/[signIn] in the platform keystore (it
 * holds the device's token) and hand it to [resume] at the next launch.
 */
class SyncSession(
    store: RecordStore,
    /** `https://…`; plain `http://` only to this device (loopback). */
    serverUrl: String,
    /** Shown in the account's device list. */
    deviceName: String,
    /** An extra trusted certificate (PEM), for a server with its own CA. */
    extraRootCertificatePem: String? = null,
) : AutoCloseable {
    private val ffi = RapportSync(store.ffi, SyncSettings(serverUrl, deviceName, extraRootCertificatePem))

    /** The session in use, or null when signed out. */
    val session: SessionInfo? get() = ffi.session()

    /** The status now (idle, syncing with progress, offline, error; last synced at). */
    val currentStatus: SyncStatus get() = ffi.status()

    /**
     * The sync status, the current one first, then every change. Only the
     * latest matters to a screen, so a slow collector sees the newest status.
     */
    val status: Flow<SyncStatus>
        get() =
            callbackFlow {
                val handle =
                    ffi.subscribeStatus(
                        object : SyncStatusObserver {
                            override fun onStatus(status: SyncStatus) {
                                trySend(status)
                            }
                        },
                    )
                awaitClose { handle.use { it.cancel() } }
            }.buffer(CONFLATED)

    /** Creates an account and signs this device in. */
    suspend fun signUp(
        email: String,
        password: String,
        displayName: String,
        role: Role = Role.CLIENT,
    ): SessionInfo = ffi.signUp(email, password, role, displayName)

    /** Signs this device in to an existing account. */
    suspend fun signIn(
        email: String,
        password: String,
    ): SessionInfo = ffi.signIn(email, password)

    /** Uses a session kept from an earlier sign-in (no network). */
    fun resume(session: SessionInfo) = ffi.resume(session)

    /** Signs this device out on the server and forgets the session. */
    suspend fun signOut() = ffi.signOut()

    /** Pushes this device's changes and pulls the others' until both sides are in step. */
    suspend fun syncNow(): SyncReport = ffi.syncNow()

    /** Brings the server's grants in line with the items marked shared on this device. */
    suspend fun refreshSharing() = ffi.refreshSharing()

    /** Shares every item of [kind] (now and later) with a linked therapist; with [personId], only items about that person. */
    suspend fun shareKind(
        therapistAccountId: String,
        kind: ItemKind,
        personId: String? = null,
    ): Grant = ffi.shareKind(therapistAccountId, kind, personId)

    suspend fun grants(): List<Grant> = ffi.grants()

    suspend fun revokeGrant(grantId: String) = ffi.revokeGrant(grantId)

    /**
     * The client's preview of what the therapist will see: the session summary
     * of only the items shared one by one or through a kind grant.
     */
    suspend fun therapistViewSummary(
        from: java.time.LocalDate? = null,
        to: java.time.LocalDate? = null,
        today: java.time.LocalDate = java.time.LocalDate.now(),
    ): SessionSummary = ffi.therapistViewSummary(from?.toString(), to?.toString(), today.toString())

    /** Every read of shared data by a therapist, for the client to see. */
    suspend fun accessLog(): List<AccessLogEntry> = ffi.accessLog()

    /** A client's short-lived, single-use code for a therapist to redeem. */
    suspend fun createInvite(): Invite = ffi.createInvite()

    /** A therapist redeems a client's invite. */
    suspend fun redeemInvite(code: String): CareLink = ffi.redeemInvite(code)

    suspend fun links(): List<CareLink> = ffi.links()

    suspend fun endLink(linkId: String) = ffi.endLink(linkId)

    suspend fun devices(): List<Device> = ffi.devices()

    suspend fun revokeDevice(deviceId: String) = ffi.revokeDevice(deviceId)

    /** A therapist's feedback note for a linked client; it goes out at the next sync. */
    fun writeNote(note: Note): StoredNote = ffi.writeNote(note)

    /** Deletes everything of this account, here, on the server and on every other device. */
    suspend fun deleteEverything(): Long = ffi.deleteEverything().toLong()

    override fun close() = ffi.close()
}
