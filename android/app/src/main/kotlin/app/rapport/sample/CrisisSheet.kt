// "Get help now": the crisis resources, one tap from every screen, offline.
// Each resource is opened by the structured `uri` the core computes
// ("tel:988", "sms:85258", "https://..."), never by digits taken from text;
// one without a uri (an instruction) is shown as words only.
package app.rapport.sample

import android.content.ActivityNotFoundException
import android.content.Context
import android.content.Intent
import android.net.Uri
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.ModalBottomSheet
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.rememberModalBottomSheetState
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.rapport.CrisisResource
import app.rapport.core.CrisisContact

/** The words on a resource's button: what tapping it does. */
private fun CrisisResource.action(): String? = when (val c = contact) {
    is CrisisContact.Phone -> "Call ${c.number}"
    is CrisisContact.Text -> "Text ${c.number}"
    is CrisisContact.Web -> "Open website"
    CrisisContact.Instruction -> null
}

/** Opens [uri]: the dialer with the number filled in (the person decides to call), the messages app, or the browser. */
private fun open(context: Context, uri: String) {
    val parsed = Uri.parse(uri)
    val intent =
        when (parsed.scheme) {
            "tel" -> Intent(Intent.ACTION_DIAL, parsed)
            "sms", "smsto" -> Intent(Intent.ACTION_SENDTO, parsed)
            else -> Intent(Intent.ACTION_VIEW, parsed)
        }
    try {
        context.startActivity(intent)
    } catch (e: ActivityNotFoundException) {
        // No dialer (a tablet): the number stays on screen to call from another phone.
    }
}

/**
 * The list of resources with a button each. [message] is the safety alert's
 * own wording (it says the app is not monitored in real time), when there is one.
 */
@Composable
fun CrisisResourceList(resources: List<CrisisResource>, message: String?) {
    val context = LocalContext.current
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        message?.let { Text(it) }
        if (resources.isEmpty()) {
            // Only when the record cannot be read (recovery screen): no number is made up.
            Text("Call your local emergency number, or go to the nearest emergency department.")
            Button(onClick = { context.startActivity(Intent(Intent.ACTION_DIAL)) }) { Text("Open the phone dialer") }
        }
        resources.forEach { resource ->
            Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                Text(resource.name, style = MaterialTheme.typography.titleMedium)
                if (resource.hours.isNotBlank()) Text(resource.hours, style = MaterialTheme.typography.bodySmall)
                val uri = resource.uri()
                val action = resource.action()
                if (uri != null && action != null) {
                    // The button's text ("Call 988") is its label for TalkBack.
                    Button(onClick = { open(context, uri) }) { Text(action) }
                }
            }
        }
    }
}

/** The sheet behind "Get help now"; [load] reads the resources from the device. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun CrisisSheet(load: suspend () -> List<CrisisResource>, onDismiss: () -> Unit) {
    var resources by remember { mutableStateOf<List<CrisisResource>?>(null) }
    LaunchedEffect(Unit) { resources = runCatching { load() }.getOrDefault(emptyList()) }
    ModalBottomSheet(onDismissRequest = onDismiss, sheetState = rememberModalBottomSheetState(skipPartiallyExpanded = true)) {
        Column(Modifier.fillMaxWidth().padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Text("Help is available now", style = MaterialTheme.typography.headlineSmall, modifier = Modifier.semantics { heading() })
            resources?.let { CrisisResourceList(it, message = null) }
            TextButton(onClick = onDismiss) { Text("Close") }
        }
    }
}
