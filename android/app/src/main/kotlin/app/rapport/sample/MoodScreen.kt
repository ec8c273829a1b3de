// The quick mood check-in: a rating (0 worst, 10 best), the event behind it,
// and "I'm in crisis", which opens the crisis resources at once (offline).
package app.rapport.sample

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.selection.toggleable
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableFloatStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch

@Composable
fun MoodScreen(model: RapportViewModel) {
    val scope = rememberCoroutineScope()
    var rating by rememberSaveable { mutableFloatStateOf(5f) }
    var event by rememberSaveable { mutableStateOf("") }
    var crisis by rememberSaveable { mutableStateOf(false) }
    var error by remember { mutableStateOf<String?>(null) }
    var saved by remember { mutableStateOf(false) }
    Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text("How is your mood right now?", style = MaterialTheme.typography.titleMedium)
        ScaleSlider("Mood (0 worst, 10 best)", rating) {
            rating = it
            saved = false
        }
        OutlinedTextField(
            value = event,
            onValueChange = { event = it },
            label = { Text("What happened (optional)") },
            modifier = Modifier.fillMaxWidth()
        )
        // The whole row is one switch for TalkBack, labelled by its text.
        Row(
            Modifier.fillMaxWidth().toggleable(value = crisis, role = Role.Checkbox, onValueChange = { crisis = it }),
            verticalAlignment = Alignment.CenterVertically
        ) {
            Checkbox(checked = crisis, onCheckedChange = null)
            Text("I'm in crisis")
        }
        SaveError(error)
        if (saved) Text("Saved.")
        Button(onClick = {
            scope.launch {
                error = model.checkInMood(rating.toInt(), event, crisis)
                saved = error == null
                if (saved) {
                    event = ""
                    crisis = false
                }
            }
        }) { Text("Save my mood") }
        Text(
            "Rapport is not monitored in real time: your therapist sees check-ins at your next session. " +
                "If you need help now, use Get help now at the top of every screen.",
            style = MaterialTheme.typography.bodySmall
        )
    }
}
