// Signing in to the user's own sync server, the sync status, and syncing now.
package app.rapport.sample

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.rapport.SyncStatus
import app.rapport.ffi.SyncState
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle

private val AT = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.SHORT).withZone(ZoneId.systemDefault())

@Composable
fun SyncScreen(model: RapportViewModel) {
    val status by model.syncStatus.collectAsStateWithLifecycle()
    var server by rememberSaveable { mutableStateOf("https://") }
    var email by rememberSaveable { mutableStateOf("") }
    var password by rememberSaveable { mutableStateOf("") }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(describe(status), style = MaterialTheme.typography.titleMedium)
        if (status == null) {
            OutlinedTextField(server, { server = it }, label = { Text("Your sync server") }, modifier = Modifier.fillMaxWidth())
            OutlinedTextField(
                email,
                { email = it },
                label = { Text("Email") },
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Email),
                modifier = Modifier.fillMaxWidth(),
            )
            OutlinedTextField(
                password,
                { password = it },
                label = { Text("Password") },
                visualTransformation = PasswordVisualTransformation(),
                modifier = Modifier.fillMaxWidth(),
            )
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(onClick = { model.signIn(server, email, password, createAccount = false) }) { Text("Sign in") }
                OutlinedButton(onClick = { model.signIn(server, email, password, createAccount = true) }) { Text("Create account") }
            }
        } else {
            Button(onClick = model::syncNow) { Text("Sync now") }
        }
        Text(
            "Your journal stays on this phone and works offline. Only your own server receives it, " +
                "and your therapist sees only what you share.",
            style = MaterialTheme.typography.bodySmall,
        )
    }
}

private fun describe(status: SyncStatus?): String {
    if (status == null) return "Not signed in: everything stays on this phone."
    val state =
        when (val s = status.state) {
            is SyncState.Idle -> "Up to date"
            is SyncState.Syncing -> "Syncing… ${s.pushed} sent, ${s.pulled} received"
            is SyncState.Offline -> "Offline: your entries are kept and will go out later (${s.reason})"
            is SyncState.Error -> "Sync failed: ${s.reason}"
        }
    val last = status.lastSyncedAt?.let { " · last synced ${AT.format(it)}" } ?: ""
    return state + last
}
