// The app lock: biometrics (class 3, "strong") with the device's PIN, pattern
// or password as the fallback, at launch and on return after a minute away.
package app.rapport.sample

import android.os.Build
import android.os.SystemClock
import androidx.biometric.BiometricManager
import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_STRONG
import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_WEAK
import androidx.biometric.BiometricManager.Authenticators.DEVICE_CREDENTIAL
import androidx.biometric.BiometricPrompt
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.core.content.ContextCompat
import androidx.fragment.app.FragmentActivity
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** The activity's lock, for screens that ask again before showing a secret. */
val LocalAppLock = staticCompositionLocalOf<AppLock?> { null }

class AppLock(private val activity: FragmentActivity) {
    private val _locked = MutableStateFlow(true)
    val locked: StateFlow<Boolean> = _locked.asStateFlow()

    /** Why the lock cannot work (no screen lock set), shown on the lock screen. */
    val problem = MutableStateFlow<String?>(null)

    private var leftAt: Long? = null

    // BIOMETRIC_STRONG | DEVICE_CREDENTIAL is refused before Android 11 (API 30);
    // there the combination the platform accepts is WEAK | DEVICE_CREDENTIAL.
    private val authenticators =
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) BIOMETRIC_STRONG or DEVICE_CREDENTIAL else BIOMETRIC_WEAK or DEVICE_CREDENTIAL

    /** The app went to the background. */
    fun onStop() {
        leftAt = SystemClock.elapsedRealtime()
    }

    /** The app came back: lock again after [TIMEOUT_MS] away. */
    fun onStart() {
        val away = leftAt?.let { SystemClock.elapsedRealtime() - it }
        if (away != null && away > TIMEOUT_MS) _locked.value = true
        if (_locked.value) unlock()
    }

    fun unlock() = authenticate("Unlock Rapport") {
        problem.value = null
        _locked.value = false
    }

    /**
     * Asks again who is there before something only the owner may see (the
     * recovery kit), even while unlocked; [onConfirmed] runs on success.
     */
    fun confirm(title: String, onConfirmed: () -> Unit) {
        // No screen lock set: there is nothing to ask (the app is not locked either).
        if (BiometricManager.from(activity).canAuthenticate(authenticators) == BiometricManager.BIOMETRIC_ERROR_NONE_ENROLLED) {
            onConfirmed()
        } else {
            authenticate(title, onConfirmed)
        }
    }

    private fun authenticate(title: String, onSuccess: () -> Unit) {
        when (BiometricManager.from(activity).canAuthenticate(authenticators)) {
            BiometricManager.BIOMETRIC_SUCCESS -> Unit
            BiometricManager.BIOMETRIC_ERROR_NONE_ENROLLED -> {
                // No screen lock at all: nothing to check against. Say so rather than lock the person out.
                problem.value = "Set a screen lock (PIN, pattern or password) in Settings to lock Rapport."
                _locked.value = false
                return
            }
            else -> {
                problem.value = "This phone cannot check who you are right now."
                return
            }
        }
        val prompt =
            BiometricPrompt(
                activity,
                ContextCompat.getMainExecutor(activity),
                object : BiometricPrompt.AuthenticationCallback() {
                    override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult) = onSuccess()

                    override fun onAuthenticationError(errorCode: Int, errString: CharSequence) {
                        problem.value = errString.toString()
                    }
                }
            )
        val info =
            BiometricPrompt.PromptInfo
                .Builder()
                .setTitle(title)
                .setAllowedAuthenticators(authenticators)
                .build()
        prompt.authenticate(info)
    }

    private companion object {
        const val TIMEOUT_MS = 60_000L
    }
}
