// What the client owns: export everything (JSON, re-importable) to a file of
// their choice, delete everything for real, sign out; the account key (the
// recovery kit, add a device, safety numbers: AccountKeyScreen.kt).
package app.rapport.sample

import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.rapport.sentence
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

@Composable
fun PrivacyScreen(model: RapportViewModel) {
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    val signedIn by model.signedIn.collectAsStateWithLifecycle()
    val needsKey by model.needsAccountKey.collectAsStateWithLifecycle()
    var note by remember { mutableStateOf<String?>(null) }
    var confirmDelete by remember { mutableStateOf(false) }
    val export =
        rememberLauncherForActivityResult(ActivityResultContracts.CreateDocument("application/json")) { uri ->
            uri ?: return@rememberLauncherForActivityResult
            scope.launch {
                note =
                    try {
                        val json = model.exportJson()
                        withContext(Dispatchers.IO) {
                            context.contentResolver.openOutputStream(uri)?.use { it.write(json.toByteArray()) } ?: error("The file could not be written.")
                        }
                        "Exported. The file is not encrypted: keep it somewhere private."
                    } catch (e: Exception) {
                        e.sentence
                    }
            }
        }
    Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text("Your data", style = MaterialTheme.typography.titleMedium)
        Button(onClick = { export.launch("rapport-export.json") }) { Text("Export everything (JSON)") }
        OutlinedButton(onClick = { confirmDelete = true }) { Text("Delete everything") }
        if (signedIn) OutlinedButton(onClick = model::signOut) { Text("Sign out of this phone") }
        SaveError(note)
        if (signedIn && !needsKey) AccountKeySettings(model)
        Text(
            "Rapport has no analytics and no advertising. Screenshots are blocked, the app locks after a minute away, " +
                "reminders show no content and the keyboard is asked not to learn what you type.",
            style = MaterialTheme.typography.bodySmall
        )
    }
    if (confirmDelete) {
        ConfirmDialog(
            title = "Delete everything?",
            text =
            if (signedIn) {
                "Your whole record is deleted on this phone, on your server and on your other devices. This cannot be undone."
            } else {
                "Your whole record is deleted from this phone. This cannot be undone."
            },
            confirm = "Delete everything",
            onConfirm = {
                confirmDelete = false
                scope.launch { note = model.deleteEverything() ?: "Everything was deleted." }
            },
            onDismiss = { confirmDelete = false }
        )
    }
}
