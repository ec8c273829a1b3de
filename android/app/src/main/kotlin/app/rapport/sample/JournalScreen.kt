// The journal: search, the newest entries with their share toggle, and the
// two quick logs (an interaction, a win).
package app.rapport.sample

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
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
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.rapport.Channel
import app.rapport.Summary
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle

private val WHEN = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.SHORT).withZone(ZoneId.systemDefault())

@Composable
fun JournalScreen(model: RapportViewModel) {
    val journal by model.journal.collectAsStateWithLifecycle()
    val query by model.searchText.collectAsStateWithLifecycle()
    val found by model.searchResults.collectAsStateWithLifecycle()
    var logging by remember { mutableStateOf<String?>(null) }

    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        OutlinedTextField(
            value = query,
            onValueChange = { model.searchText.value = it },
            label = { Text("Search the journal") },
            singleLine = true,
            modifier = Modifier.fillMaxWidth(),
        )
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Button(onClick = { logging = "interaction" }) { Text("Log an interaction") }
            OutlinedButton(onClick = { logging = "win" }) { Text("Log a win") }
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
    }
}

@Composable
private fun EntryRow(
    row: Summary,
    onShare: (Boolean) -> Unit,
) {
    ListItem(
        headlineContent = { Text(row.title) },
        supportingContent = { Text(listOfNotNull(row.kind.label(), row.at?.let(WHEN::format)).joinToString(" · ")) },
        trailingContent = {
            // Shared items are seen by the therapist at the next review.
            Switch(checked = row.shared, onCheckedChange = onShare)
        },
    )
}

@Composable
private fun InteractionDialog(
    model: RapportViewModel,
    onDone: () -> Unit,
) {
    val people by model.people.collectAsStateWithLifecycle()
    var personId by remember { mutableStateOf(people.firstOrNull()?.id) }
    var channel by remember { mutableStateOf(Channel.IN_PERSON) }
    var wanted by remember { mutableStateOf("") }
    var before by remember { mutableFloatStateOf(5f) }
    var after by remember { mutableFloatStateOf(5f) }
    AlertDialog(
        onDismissRequest = onDone,
        title = { Text("An interaction") },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                if (people.isEmpty()) Text("Add someone to your inventory first (People).")
                Row(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
                    people.take(4).forEach { p ->
                        FilterChip(selected = p.id == personId, onClick = { personId = p.id }, label = { Text(p.title) })
                    }
                }
                Row(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
                    Channel.entries.forEach { c ->
                        FilterChip(selected = c == channel, onClick = { channel = c }, label = { Text(c.label()) })
                    }
                }
                OutlinedTextField(value = wanted, onValueChange = { wanted = it }, label = { Text("What I wanted") })
                Text("Mood before: ${before.toInt()} (0 worst, 10 best)")
                Slider(value = before, onValueChange = { before = it }, valueRange = 0f..10f, steps = 9)
                Text("Mood after: ${after.toInt()}")
                Slider(value = after, onValueChange = { after = it }, valueRange = 0f..10f, steps = 9)
            }
        },
        confirmButton = {
            TextButton(
                enabled = personId != null,
                onClick = {
                    personId?.let { model.logInteraction(it, channel, wanted, before.toInt(), after.toInt()) }
                    onDone()
                },
            ) { Text("Save") }
        },
        dismissButton = { TextButton(onClick = onDone) { Text("Cancel") } },
    )
}

@Composable
private fun WinDialog(
    model: RapportViewModel,
    onDone: () -> Unit,
) {
    val goals by model.goals.collectAsStateWithLifecycle()
    var title by remember { mutableStateOf("") }
    var goalId by remember { mutableStateOf<String?>(null) }
    AlertDialog(
        onDismissRequest = onDone,
        title = { Text("A win, small or large") },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedTextField(value = title, onValueChange = { title = it }, label = { Text("What went well") })
                goals.take(3).forEach { g ->
                    FilterChip(
                        selected = g.meta.id == goalId,
                        onClick = { goalId = g.meta.id.takeUnless { it == goalId } },
                        label = { Text("Goal: ${g.goal.title}") },
                    )
                }
            }
        },
        confirmButton = {
            TextButton(enabled = title.isNotBlank(), onClick = {
                model.logWin(title, goalId)
                onDone()
            }) { Text("Celebrate") }
        },
        dismissButton = { TextButton(onClick = onDone) { Text("Cancel") } },
    )
}
