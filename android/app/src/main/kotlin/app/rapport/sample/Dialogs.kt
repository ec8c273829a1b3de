// Shared pieces of the forms: dialogs that an outside tap does not discard,
// the error line of a failed save, the confirm dialog, the win celebration
// (which respects the system's "remove animations" setting).
package app.rapport.sample

import android.provider.Settings
import androidx.compose.animation.core.Animatable
import androidx.compose.animation.core.Spring
import androidx.compose.animation.core.spring
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.scale
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.clearAndSetSemantics
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.DialogProperties

/** A tap outside a form must not throw away what was typed; Back still closes it. */
val KEEP_ON_OUTSIDE_TAP = DialogProperties(dismissOnClickOutside = false)

/** The reason a save failed, read out by TalkBack as soon as it appears. */
@Composable
fun SaveError(error: String?) {
    error ?: return
    Text(
        error,
        color = MaterialTheme.colorScheme.error,
        modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite }
    )
}

@Composable
fun ConfirmDialog(title: String, text: String, confirm: String, onConfirm: () -> Unit, onDismiss: () -> Unit) {
    AlertDialog(
        onDismissRequest = onDismiss,
        properties = KEEP_ON_OUTSIDE_TAP,
        title = { Text(title) },
        text = { Text(text) },
        confirmButton = { TextButton(onClick = onConfirm) { Text(confirm) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text("Cancel") } }
    )
}

/** True when the person turned animations off (Settings > Accessibility > Remove animations). */
@Composable
fun reduceMotion(): Boolean {
    val resolver = LocalContext.current.contentResolver
    return remember {
        Settings.Global.getFloat(resolver, Settings.Global.ANIMATOR_DURATION_SCALE, 1f) == 0f ||
            Settings.Global.getFloat(resolver, Settings.Global.TRANSITION_ANIMATION_SCALE, 1f) == 0f
    }
}

/** A win, celebrated: a short pop, or (with animations off) the same words standing still. */
@Composable
fun WinCelebration(title: String, onDone: () -> Unit) {
    val still = reduceMotion()
    val scale = remember { Animatable(if (still) 1f else 0.6f) }
    LaunchedEffect(title) {
        if (!still) scale.animateTo(1f, spring(dampingRatio = Spring.DampingRatioMediumBouncy))
    }
    AlertDialog(
        onDismissRequest = onDone,
        title = { Text("A win!") },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                // The emoji is decoration: TalkBack reads the sentence below.
                Text("🎉", style = MaterialTheme.typography.displayMedium, modifier = Modifier.scale(scale.value).clearAndSetSemantics { })
                Text("$title. Well done!")
            }
        },
        confirmButton = { TextButton(onClick = onDone) { Text("Thanks") } }
    )
}
