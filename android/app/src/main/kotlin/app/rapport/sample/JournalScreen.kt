// The journal: search, the newest entries with their share switch, and the
// quick logs (an interaction, a win, a rehearsal). A form stays open with
// what was typed until its save is on disk; a failed save says why.
@file:OptIn(androidx.compose.foundation.layout.ExperimentalLayoutApi::class)

package app.rapport.sample

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.ListItem
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Slider
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableFloatStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.semantics.stateDescription
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.rapport.Channel
import app.rapport.Summary
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle
import kotlinx.coroutines.launch

private val WHEN = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.SHORT).withZone(ZoneId.systemDefault())

@Composable
fun JournalScreen(model: RapportViewModel) {
    val journal by model.journal.collectAsStateWithLifecycle()
    val query by model.searchText.collectAsStateWithLifecycle()
    val found by model.searchResults.collectAsStateWithLifecycle()
    var logging by rememberSaveable { mutableStateOf<String?>(null) }

    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        OutlinedTextField(
            value = query,
            onValueChange = { model.searchText.value = it },
            label = { Text("Search the journal") },
            singleLine = true,
            modifier = Modifier.fillMaxWidth()
        )
        FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Button(onClick = { logging = "interaction" }) { Text("Log an interaction") }
            OutlinedButton(onClick = { logging = "win" }) { Text("Log a win") }
            OutlinedButton(onClick = { logging = "rehearsal" }) { Text("Rehearse a conversation") }
        }
        LazyColumn {
            items(if (query.isBlank()) journal else found, key = { it.id }) { row ->
                EntryRow(row, onShare = { model.setShared(row.id, it) })
            }
        }
    }
    when (logging) {
        "interaction" -> InteractionDialog(model, onDone = { logging = null })
        "win" -> WinDialog(model, onDone = { logging = null })
        "rehearsal" -> RehearsalDialog(model, onDone = { logging = null })
    }
}

@Composable
private fun EntryRow(row: Summary, onShare: (Boolean) -> Unit) {
    ListItem(
        headlineContent = { Text(row.title) },
        supportingContent = { Text(listOfNotNull(row.kind.label(), row.at?.let(WHEN::format)).joinToString(" · ")) },
        trailingContent = {
            // Shared items are seen by the therapist at the next review.
            Switch(
                checked = row.shared,
                onCheckedChange = onShare,
                modifier =
                Modifier.semantics {
                    contentDescription = "Share “${row.title}” with my therapist"
                    stateDescription = if (row.shared) "Shared" else "Private"
                }
            )
        }
    )
}

/** A 0 to 10 slider whose label and value TalkBack reads. */
@Composable
fun ScaleSlider(label: String, value: Float, onChange: (Float) -> Unit) {
    Text("$label: ${value.toInt()}")
    Slider(
        value = value,
        onValueChange = onChange,
        valueRange = 0f..10f,
        steps = 9,
        modifier =
        Modifier.semantics {
            contentDescription = label
            stateDescription = "${value.toInt()} of 10"
        }
    )
}

/**
 * A form dialog: Save runs [save] and closes only when it returns null;
 * otherwise the error shows and everything typed stays.
 */
@Composable
fun FormDialog(title: String, saveLabel: String, canSave: Boolean, save: suspend () -> String?, onDone: () -> Unit, content: @Composable () -> Unit) {
    val scope = rememberCoroutineScope()
    var error by remember { mutableStateOf<String?>(null) }
    var saving by remember { mutableStateOf(false) }
    AlertDialog(
        onDismissRequest = onDone,
        properties = KEEP_ON_OUTSIDE_TAP,
        title = { Text(title) },
        text = {
            Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                content()
                SaveError(error)
            }
        },
        confirmButton = {
            TextButton(enabled = canSave && !saving, onClick = {
                saving = true
                scope.launch {
                    error = save()
                    saving = false
                    if (error == null) onDone()
                }
            }) { Text(saveLabel) }
        },
        dismissButton = { TextButton(onClick = onDone) { Text("Cancel") } }
    )
}

@Composable
private fun PersonChips(model: RapportViewModel, personId: String?, onPick: (String) -> Unit) {
    val people by model.people.collectAsStateWithLifecycle()
    if (people.isEmpty()) Text("Add someone to your inventory first (People).")
    FlowRow(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
        people.forEach { p -> FilterChip(selected = p.id == personId, onClick = { onPick(p.id) }, label = { Text(p.title) }) }
    }
}

@Composable
private fun InteractionDialog(model: RapportViewModel, onDone: () -> Unit) {
    var personId by rememberSaveable { mutableStateOf<String?>(null) }
    var channel by rememberSaveable { mutableStateOf(Channel.IN_PERSON) }
    var wanted by rememberSaveable { mutableStateOf("") }
    var before by rememberSaveable { mutableFloatStateOf(5f) }
    var after by rememberSaveable { mutableFloatStateOf(5f) }
    FormDialog(
        title = "An interaction",
        saveLabel = "Save",
        canSave = personId != null,
        save = { model.logInteraction(personId!!, channel, wanted, before.toInt(), after.toInt()) },
        onDone = onDone
    ) {
        PersonChips(model, personId) { personId = it }
        FlowRow(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
            Channel.entries.forEach { c -> FilterChip(selected = c == channel, onClick = { channel = c }, label = { Text(c.label()) }) }
        }
        OutlinedTextField(value = wanted, onValueChange = { wanted = it }, label = { Text("What I wanted") })
        ScaleSlider("Mood before (0 worst, 10 best)", before) { before = it }
        ScaleSlider("Mood after", after) { after = it }
    }
}

@Composable
private fun WinDialog(model: RapportViewModel, onDone: () -> Unit) {
    val goals by model.goals.collectAsStateWithLifecycle()
    var title by rememberSaveable { mutableStateOf("") }
    var goalId by rememberSaveable { mutableStateOf<String?>(null) }
    FormDialog(
        title = "A win, small or large",
        saveLabel = "Celebrate",
        canSave = title.isNotBlank(),
        save = { model.logWin(title, goalId) },
        onDone = onDone
    ) {
        OutlinedTextField(value = title, onValueChange = { title = it }, label = { Text("What went well") })
        goals.forEach { g ->
            FilterChip(
                selected = g.meta.id == goalId,
                onClick = { goalId = g.meta.id.takeUnless { it == goalId } },
                label = { Text("Goal: ${g.goal.title}") }
            )
        }
    }
}

@Composable
private fun RehearsalDialog(model: RapportViewModel, onDone: () -> Unit) {
    var personId by rememberSaveable { mutableStateOf<String?>(null) }
    var scenario by rememberSaveable { mutableStateOf("") }
    var say by rememberSaveable { mutableStateOf("") }
    var confidence by rememberSaveable { mutableFloatStateOf(5f) }
    FormDialog(
        title = "Rehearse a hard conversation",
        saveLabel = "Save",
        canSave = personId != null && scenario.isNotBlank(),
        save = { model.logRehearsal(personId!!, scenario, say, confidence.toInt()) },
        onDone = onDone
    ) {
        PersonChips(model, personId) { personId = it }
        OutlinedTextField(value = scenario, onValueChange = { scenario = it }, label = { Text("The conversation to come") })
        OutlinedTextField(value = say, onValueChange = { say = it }, label = { Text("What I want to say") })
        ScaleSlider("How confident I feel (0 not at all, 10 fully)", confidence) { confidence = it }
        Text("In two days Rapport reminds you to log how it went.")
    }
}
