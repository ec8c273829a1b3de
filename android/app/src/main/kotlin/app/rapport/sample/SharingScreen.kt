// Sync and sharing, as on iOS: sign in to one's own server (with the recovery
// kit on a new phone, or pair it after), the status, sync now; invite the therapist; share whole kinds with the linked therapist (and
// stop sharing); the access log, "who read my data".
package app.rapport.sample

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.rapport.Grant
import app.rapport.Invite
import app.rapport.ItemKind
import app.rapport.SyncStatus
import app.rapport.core.SyncState
import app.rapport.protocol.GrantScope
import app.rapport.sentence
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle
import kotlinx.coroutines.launch

private val AT = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.SHORT).withZone(ZoneId.systemDefault())

private val SHAREABLE =
    listOf(
        ItemKind.INTERACTION,
        ItemKind.WIN,
        ItemKind.GOAL,
        ItemKind.PERSON,
        ItemKind.MOOD_CHECK_IN,
        ItemKind.PHQ9_CHECK_IN,
        ItemKind.REHEARSAL,
        ItemKind.REFLECTION,
        ItemKind.PROFILE
    )

@Composable
private fun Heading(text: String) = Text(text, style = MaterialTheme.typography.titleMedium, modifier = Modifier.semantics { heading() })

@Composable
fun SharingScreen(model: RapportViewModel) {
    val signedIn by model.signedIn.collectAsStateWithLifecycle()
    val needsKey by model.needsAccountKey.collectAsStateWithLifecycle()
    val status by model.syncStatus.collectAsStateWithLifecycle()
    NewRecoveryKitDialog(model)
    Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Heading("Sync")
        Text(describe(status))
        if (signedIn && needsKey) {
            KeyNeededSection(model)
        } else if (signedIn) {
            Button(onClick = model::syncNow) { Text("Sync now") }
            TherapistSection(model)
        } else {
            SignInForm(model)
        }
        Text(
            "Your journal stays on this phone and works offline. Only your own server receives it, " +
                "and your therapist sees only what you share, at your next session: Rapport is not monitored in real time.",
            style = MaterialTheme.typography.bodySmall
        )
    }
}

@Composable
private fun SignInForm(model: RapportViewModel) {
    val scope = rememberCoroutineScope()
    var server by rememberSaveable { mutableStateOf("https://") }
    var email by rememberSaveable { mutableStateOf("") }
    // Not saveable: a password or a kit is not written into the saved instance state.
    var password by remember { mutableStateOf("") }
    var kit by remember { mutableStateOf("") }
    var error by remember { mutableStateOf<String?>(null) }
    var busy by remember { mutableStateOf(false) }
    fun go(create: Boolean) {
        busy = true
        scope.launch {
            error = model.signIn(server, email, password, createAccount = create, recoveryKit = if (create) "" else kit)
            busy = false
            if (error == null) {
                password = ""
                kit = ""
            }
        }
    }
    OutlinedTextField(
        server,
        { server = it },
        label = { Text("Your sync server") },
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri),
        modifier = Modifier.fillMaxWidth()
    )
    OutlinedTextField(
        email,
        { email = it },
        label = { Text("Email") },
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Email),
        modifier = Modifier.fillMaxWidth()
    )
    OutlinedTextField(
        password,
        { password = it },
        label = { Text("Password") },
        visualTransformation = PasswordVisualTransformation(),
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password),
        modifier = Modifier.fillMaxWidth()
    )
    OutlinedTextField(
        kit,
        { kit = it },
        label = { Text("Recovery kit (to sign in on a new phone)") },
        supportingText = { Text("Or leave it empty and add this phone from your other one after signing in.") },
        keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Characters, autoCorrectEnabled = false),
        modifier = Modifier.fillMaxWidth()
    )
    SaveError(error)
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        Button(enabled = !busy, onClick = { go(create = false) }) { Text("Sign in") }
        OutlinedButton(enabled = !busy, onClick = { go(create = true) }) { Text("Create account") }
    }
}

@Composable
private fun TherapistSection(model: RapportViewModel) {
    val scope = rememberCoroutineScope()
    var sharing by remember { mutableStateOf(RapportViewModel.Sharing()) }
    var invite by remember { mutableStateOf<Invite?>(null) }
    var error by remember { mutableStateOf<String?>(null) }
    var refresh by remember { mutableIntStateOf(0) }
    LaunchedEffect(refresh) {
        error =
            try {
                sharing = model.sharing()
                null
            } catch (e: Exception) {
                e.sentence
            }
    }
    fun attempt(work: suspend () -> Unit) {
        scope.launch {
            error =
                try {
                    work()
                    null
                } catch (e: Exception) {
                    e.sentence
                }
            refresh++
        }
    }

    Heading("My therapist")
    val link = sharing.links.firstOrNull()
    if (link == null) {
        val code = invite
        if (code != null) {
            SelectionContainer { Text("Give your therapist this code: ${code.code}") }
            Text("Valid until ${AT.format(code.expiresAt)}", style = MaterialTheme.typography.bodySmall)
        } else {
            Button(onClick = { attempt { invite = model.createInvite() } }) { Text("Invite my therapist") }
        }
    } else {
        Text("Linked with ${link.therapistName}")
        Heading("Share with ${link.therapistName}")
        SHAREABLE.forEach { kind ->
            val grant = sharing.grants.kindGrant(kind)
            ListItem(
                headlineContent = { Text(kind.label()) },
                trailingContent = {
                    Switch(
                        checked = grant != null,
                        onCheckedChange = { on ->
                            attempt { if (on) model.shareKind(link.therapist, kind) else grant?.let { model.revokeGrant(it.grantId) } }
                        },
                        modifier = Modifier.semantics { contentDescription = "Share every ${kind.label()} with ${link.therapistName}" }
                    )
                }
            )
        }
    }
    SaveError(error)

    Heading("Who read my data")
    if (sharing.accessLog.isEmpty()) Text("Nobody has read your shared entries yet.")
    sharing.accessLog.forEach { entry ->
        Text("${entry.readerName} read a ${entry.kind.label().lowercase()} · ${AT.format(entry.readAt)}")
    }
}

private fun List<Grant>.kindGrant(kind: ItemKind): Grant? = firstOrNull { (it.scope as? GrantScope.Kind)?.let { s -> s.kind == kind && s.tag == null } == true }

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
