// Secrets kept wrapped by a key that never leaves the Android Keystore: the
// record's database key, the sync session and the account key (which seals
// everything that is synced, end to end). Only the wrapped bytes are
// stored (app-private preferences, excluded from backup and device transfer:
// res/xml/backup_rules.xml and data_extraction_rules.xml), so a restored or
// copied phone cannot unwrap them and the app shows the recovery screen.
package app.rapport.sample

import android.content.Context
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import android.util.Base64
import java.security.GeneralSecurityException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/** A secret that was kept but can no longer be unwrapped (key invalidated, restored from elsewhere, damaged). */
class KeyUnavailableException(message: String, cause: Throwable?) : Exception(message, cause)

/**
 * One secret under one Keystore alias. The Keystore key is AES-256-GCM, in
 * StrongBox where the phone has one, and usable only while the device is
 * unlocked (API 28+), so the secrets cannot be read from a locked phone.
 */
class KeystoreBox(context: Context, private val alias: String) {
    private val prefs = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE)

    /** The kept secret, or null if none was kept. Call off the main thread. */
    fun read(): ByteArray? {
        val stored = prefs.getString(alias, null) ?: return null
        return try {
            unwrap(Base64.decode(stored, Base64.NO_WRAP))
        } catch (e: GeneralSecurityException) {
            // KeyPermanentlyInvalidatedException, AEADBadTagException,
            // UnrecoverableKeyException, KeyStoreException...: all mean "cannot be unwrapped here".
            throw KeyUnavailableException("The key kept for $alias cannot be used on this phone any more.", e)
        } catch (e: IllegalArgumentException) {
            throw KeyUnavailableException("The key kept for $alias is damaged.", e)
        }
    }

    /** Keeps [secret] (committed to disk before returning). Call off the main thread. */
    fun write(secret: ByteArray) {
        val wrapped = Base64.encodeToString(wrap(secret), Base64.NO_WRAP)
        // commit(), not apply(): a database key must be on disk before the record is encrypted with it.
        check(prefs.edit().putString(alias, wrapped).commit()) { "could not store $alias" }
    }

    /** Forgets the secret and its Keystore key (sign-out, or starting again after a lost key). */
    fun clear() {
        prefs.edit().remove(alias).commit()
        runCatching { KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }.deleteEntry(alias) }
    }

    private fun keystoreKey(): SecretKey {
        val keyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }
        (keyStore.getKey(alias, null) as? SecretKey)?.let { return it }
        if (Build.VERSION.SDK_INT < Build.VERSION_CODES.P) return generate(strongBox = false)
        return try {
            generate(strongBox = true)
        } catch (e: StrongBoxUnavailableException) {
            // Most phones have no StrongBox: the TEE-backed Keystore is the fallback.
            generate(strongBox = false)
        }
    }

    private fun generate(strongBox: Boolean): SecretKey {
        val spec =
            KeyGenParameterSpec
                .Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) {
            spec.setIsStrongBoxBacked(strongBox)
            // Not with a locked phone: whoever holds it locked cannot open the record.
            spec.setUnlockedDeviceRequired(true)
        }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
        generator.init(spec.build())
        return generator.generateKey()
    }

    private fun wrap(secret: ByteArray): ByteArray {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, keystoreKey())
        return cipher.iv + cipher.doFinal(secret)
    }

    private fun unwrap(wrapped: ByteArray): ByteArray {
        require(wrapped.size > IV_BYTES) { "too short" }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, keystoreKey(), GCMParameterSpec(TAG_BITS, wrapped, 0, IV_BYTES))
        return cipher.doFinal(wrapped, IV_BYTES, wrapped.size - IV_BYTES)
    }

    companion object {
        /** The preferences file of the wrapped secrets; the backup rules exclude it by this name. */
        const val PREFS = "rapport-keys"
        const val DATABASE_KEY = "rapport-database-key"
        const val SESSION = "rapport-session"

        /** The account key (32 bytes): kept at sign-out, cleared only with the account (delete everything). */
        const val ACCOUNT_KEY = "rapport-account-key"

        /** The new account key while a replacement (a lost device) is under way. */
        const val PENDING_ACCOUNT_KEY = "rapport-account-key-pending"
        private const val ANDROID_KEYSTORE = "AndroidKeyStore"
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val IV_BYTES = 12
        private const val TAG_BITS = 128
    }
}
