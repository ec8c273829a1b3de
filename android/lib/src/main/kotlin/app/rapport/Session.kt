package app.rapport

import app.rapport.protocol.Session as SessionInfo
import java.io.ByteArrayInputStream
import java.io.ByteArrayOutputStream
import java.io.DataInputStream
import java.io.DataOutputStream
import java.io.IOException

/**
 * This device's sign-in: the account, the device and the bearer token that
 * lets it sync. The token never appears in [toString] (so not in logs, crash
 * reports or a debugger's summary); the generated `app.rapport.protocol.Session` it wraps
 * would print it, so app code never sees that type.
 *
 * Keep it with [toBytes] wrapped by the Android Keystore, and give it back
 * with [fromBytes] to [SyncSession.resume] at the next launch.
 */
class Session internal constructor(internal val info: SessionInfo) {
    val accountId: String get() = info.accountId
    val deviceId: String get() = info.deviceId
    val role: Role get() = info.role

    override fun toString(): String = "Session(accountId=$accountId, deviceId=$deviceId, role=$role, token=<redacted>)"

    override fun equals(other: Any?): Boolean = other is Session && other.info == info

    override fun hashCode(): Int = info.hashCode()

    /**
     * The session as bytes, token included, to be encrypted at once with a
     * Keystore key (never stored as they are).
     */
    fun toBytes(): ByteArray = ByteArrayOutputStream().use { bytes ->
        DataOutputStream(bytes).use { out ->
            out.writeInt(FORMAT)
            out.writeUTF(info.accountId)
            out.writeUTF(info.role.name)
            out.writeUTF(info.deviceId)
            out.writeUTF(info.token)
        }
        bytes.toByteArray()
    }

    companion object {
        private const val FORMAT = 1

        /**
         * A session kept by [toBytes].
         *
         * @throws IllegalArgumentException if the bytes are not one (then sign in again).
         */
        fun fromBytes(bytes: ByteArray): Session = try {
            DataInputStream(ByteArrayInputStream(bytes)).use { input ->
                require(input.readInt() == FORMAT) { "not a kept session (unknown format)" }
                val accountId = input.readUTF()
                val role = Role.valueOf(input.readUTF())
                val deviceId = input.readUTF()
                val token = input.readUTF()
                require(input.read() == -1) { "not a kept session (trailing bytes)" }
                Session(SessionInfo(accountId = accountId, role = role, deviceId = deviceId, token = token))
            }
        } catch (e: IOException) {
            throw IllegalArgumentException("not a kept session (truncated)", e)
        }
    }
}
