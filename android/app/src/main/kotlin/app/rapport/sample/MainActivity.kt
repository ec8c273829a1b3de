// The sample app: tabs over one ViewModel, under one scaffold whose top bar
// has "Get help now" on every screen. Android specifics live here: the app
// lock, FLAG_SECURE, the time-zone broadcast, no keyboard learning.
package app.rapport.sample

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import android.os.Bundle
import android.view.WindowManager
import android.view.inputmethod.EditorInfo
import android.view.inputmethod.InputConnection
import androidx.activity.compose.setContent
import androidx.activity.viewModels
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.PrimaryScrollableTabRow
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SnackbarHost
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.Tab
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.ExperimentalComposeUiApi
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.InterceptPlatformTextInput
import androidx.compose.ui.platform.PlatformTextInputMethodRequest
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.core.content.ContextCompat
import androidx.fragment.app.FragmentActivity
import androidx.lifecycle.compose.collectAsStateWithLifecycle

// FragmentActivity (a ComponentActivity) because BiometricPrompt needs one.
class MainActivity : FragmentActivity() {
    private val model: RapportViewModel by viewModels()
    private lateinit var lock: AppLock

    // The client's days are cut at local midnight: follow the phone when it changes zone.
    private val zoneChanged =
        object : BroadcastReceiver() {
            override fun onReceive(context: Context, intent: Intent) = model.followDevice()
        }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        // No screenshots, no screen recording, a blank card in the app switcher.
        window.setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE)
        lock = AppLock(this)
        ContextCompat.registerReceiver(this, zoneChanged, IntentFilter(Intent.ACTION_TIMEZONE_CHANGED), ContextCompat.RECEIVER_NOT_EXPORTED)
        Reminders.scheduleWeeklyPhq9(this)
        setContent {
            MaterialTheme {
                NoPersonalizedLearning {
                    val locked by lock.locked.collectAsStateWithLifecycle()
                    val problem by lock.problem.collectAsStateWithLifecycle()
                    if (locked) {
                        LockedScreen(model, problem, onUnlock = lock::unlock)
                    } else {
                        CompositionLocalProvider(LocalAppLock provides lock) { RapportApp(model) }
                    }
                }
            }
        }
    }

    override fun onStart() {
        super.onStart()
        lock.onStart()
        // A zone change while the app was stopped sends no broadcast to it.
        model.followDevice()
    }

    override fun onStop() {
        lock.onStop()
        super.onStop()
    }

    override fun onDestroy() {
        unregisterReceiver(zoneChanged)
        super.onDestroy()
    }
}

/**
 * Asks the keyboard not to learn from anything typed in the app
 * (EditorInfo.IME_FLAG_NO_PERSONALIZED_LEARNING on every text field inside).
 * Compose's KeyboardOptions has no such flag (autoCorrect only turns off
 * suggestions, and PlatformImeOptions only carries privateImeOptions, a string
 * the keyboard may ignore), so the flag is added where Compose builds the
 * EditorInfo: an InterceptPlatformTextInput interceptor, the documented hook
 * for exactly this (its own KDoc sample does this). Keyboards that honour the
 * flag (Gboard, SwiftKey, AOSP) then keep nothing for their dictionaries.
 */
@OptIn(ExperimentalComposeUiApi::class)
@Composable
fun NoPersonalizedLearning(content: @Composable () -> Unit) {
    InterceptPlatformTextInput(
        interceptor = { request, nextHandler ->
            val private =
                object : PlatformTextInputMethodRequest {
                    override fun createInputConnection(outAttributes: EditorInfo): InputConnection = request.createInputConnection(outAttributes).also {
                        // After Compose has filled outAttributes, so the flag is not overwritten.
                        outAttributes.imeOptions = outAttributes.imeOptions or EditorInfo.IME_FLAG_NO_PERSONALIZED_LEARNING
                    }
                }
            nextHandler.startInputMethod(private)
        },
        content = content
    )
}

private val TABS = listOf("Journal", "Mood", "Goals", "People", "PHQ-9", "Sharing", "Privacy")

/** "Get help now" as a top-bar action: the same place on every screen, offline. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
private fun HelpBar(model: RapportViewModel) {
    var open by remember { mutableStateOf(false) }
    TopAppBar(
        title = { Text("Rapport") },
        actions = { TextButton(onClick = { open = true }) { Text("Get help now") } }
    )
    if (open) CrisisSheet(load = model::crisisResources, onDismiss = { open = false })
}

@Composable
fun RapportApp(model: RapportViewModel) {
    val state by model.state.collectAsStateWithLifecycle()
    when (val s = state) {
        AppState.Opening -> Scaffold(topBar = { HelpBar(model) }) { Text("Opening…", Modifier.padding(it).padding(16.dp)) }
        is AppState.KeyLost -> RecoveryScreen(s.reason, onStartAgain = model::startAgain)
        is AppState.Ready -> Tabs(model)
    }
}

@Composable
private fun Tabs(model: RapportViewModel) {
    var tab by rememberSaveable { mutableIntStateOf(0) }
    val snackbar = remember { SnackbarHostState() }
    val celebration by model.celebration.collectAsStateWithLifecycle()
    val message by model.message.collectAsStateWithLifecycle()
    val alert by model.safetyAlert.collectAsStateWithLifecycle()

    LaunchedEffect(message) {
        message?.let {
            snackbar.showSnackbar(it)
            model.dismissMessage()
        }
    }

    Scaffold(topBar = { HelpBar(model) }, snackbarHost = { SnackbarHost(snackbar) }) { padding ->
        Column(Modifier.fillMaxSize().padding(padding)) {
            PrimaryScrollableTabRow(selectedTabIndex = tab) {
                TABS.forEachIndexed { index, title ->
                    Tab(selected = tab == index, onClick = { tab = index }, text = { Text(title) })
                }
            }
            when (tab) {
                0 -> JournalScreen(model)
                1 -> MoodScreen(model)
                2 -> GoalsScreen(model)
                3 -> InventoryScreen(model)
                4 -> Phq9Screen(model)
                5 -> SharingScreen(model)
                else -> PrivacyScreen(model)
            }
        }
    }
    celebration?.let { WinCelebration(it, onDone = model::dismissCelebration) }
    alert?.let { CrisisResourcesDialog(it, onDismiss = model::dismissSafetyAlert) }
}

/** Shown until the person unlocks; "Get help now" works here too, without unlocking. */
@Composable
private fun LockedScreen(model: RapportViewModel, problem: String?, onUnlock: () -> Unit) {
    Scaffold(topBar = { HelpBar(model) }) { padding ->
        Column(Modifier.padding(padding).padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Text("Rapport is locked.", style = MaterialTheme.typography.titleLarge)
            problem?.let { Text(it) }
            Button(onClick = onUnlock, modifier = Modifier.semantics { contentDescription = "Unlock Rapport" }) { Text("Unlock") }
        }
    }
}

/**
 * The record cannot be opened on this phone (its Keystore key was
 * invalidated, or the app was restored from another phone). Shown instead of
 * crashing at every launch; "Get help now" still works (it needs no record).
 */
@Composable
fun RecoveryScreen(reason: String, onStartAgain: () -> Unit) {
    var confirm by remember { mutableStateOf(false) }
    var help by remember { mutableStateOf(false) }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        TextButton(onClick = { help = true }) { Text("Get help now") }
        Text("Rapport cannot open your journal on this phone", style = MaterialTheme.typography.titleLarge)
        Text(reason)
        Text(
            "This happens when the phone's screen lock was removed or reset, or when the app was restored from another phone. " +
                "What you synced is safe on your server: start again, then sign in to bring it back. " +
                "Entries that were never synced cannot be recovered."
        )
        Button(onClick = { confirm = true }) { Text("Start again on this phone") }
    }
    if (confirm) {
        ConfirmDialog(
            title = "Start again?",
            text = "The journal on this phone, which cannot be opened any more, will be deleted.",
            confirm = "Delete and start again",
            onConfirm = {
                confirm = false
                onStartAgain()
            },
            onDismiss = { confirm = false }
        )
    }
    if (help) {
        androidx.compose.material3.AlertDialog(
            onDismissRequest = { help = false },
            title = { Text("Help is available now") },
            text = { CrisisResourceList(emptyList(), message = null) },
            confirmButton = { TextButton(onClick = { help = false }) { Text("Close") } }
        )
    }
}
