// Goals with their milestones (tick to complete), and the log of barriers
// and course corrections.
package app.rapport.sample

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.selection.toggleable
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.rapport.CourseEventKind
import app.rapport.StoredGoal
import app.rapport.milestonesDone
import app.rapport.orderedMilestones
import kotlinx.coroutines.launch

@Composable
fun GoalsScreen(model: RapportViewModel) {
    val goals by model.goals.collectAsStateWithLifecycle()
    var title by rememberSaveable { mutableStateOf("") }
    var error by remember { mutableStateOf<String?>(null) }
    val scope = rememberCoroutineScope()
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item {
            Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedTextField(value = title, onValueChange = { title = it }, label = { Text("A new goal") }, modifier = Modifier.weight(1f))
                Button(enabled = title.isNotBlank(), onClick = {
                    scope.launch {
                        // What was typed is cleared only once it is saved.
                        error = model.addGoal(title)
                        if (error == null) title = ""
                    }
                }) { Text("Add") }
            }
            SaveError(error)
        }
        items(goals, key = { it.meta.id }) { GoalCard(it, model) }
    }
}

@Composable
private fun GoalCard(stored: StoredGoal, model: RapportViewModel) {
    val goal = stored.goal
    val id = stored.meta.id
    var milestone by rememberSaveable { mutableStateOf("") }
    var logText by rememberSaveable { mutableStateOf("") }
    var error by remember { mutableStateOf<String?>(null) }
    val scope = rememberCoroutineScope()
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(goal.title, style = MaterialTheme.typography.titleMedium)
            Text("${goal.status.name.lowercase()} · ${goal.milestonesDone} of ${goal.milestones.size} milestones")
            goal.orderedMilestones.forEach { (milestoneId, m) ->
                Row(verticalAlignment = Alignment.CenterVertically) {
                    // The row is one checkbox for TalkBack, labelled by the milestone.
                    Row(
                        Modifier.toggleable(
                            value = m.completedAt != null,
                            role = Role.Checkbox,
                            onValueChange = { done -> model.toggleMilestone(id, milestoneId, done) }
                        ),
                        verticalAlignment = Alignment.CenterVertically
                    ) {
                        Checkbox(checked = m.completedAt != null, onCheckedChange = null)
                        Text(m.title)
                    }
                }
            }
            Row(verticalAlignment = Alignment.CenterVertically) {
                OutlinedTextField(value = milestone, onValueChange = { milestone = it }, label = { Text("Milestone") }, modifier = Modifier.weight(1f))
                TextButton(enabled = milestone.isNotBlank(), onClick = {
                    scope.launch {
                        error = model.addMilestone(id, milestone)
                        if (error == null) milestone = ""
                    }
                }) { Text("Add") }
            }
            goal.courseLog.forEach { e ->
                val what = if (e.kind == CourseEventKind.BARRIER) "Barrier" else "Course correction"
                Text("$what: ${e.text}", style = MaterialTheme.typography.bodySmall)
            }
            OutlinedTextField(value = logText, onValueChange = { logText = it }, label = { Text("What got in the way, or what changes") }, modifier = Modifier.fillMaxWidth())
            SaveError(error)
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedButton(enabled = logText.isNotBlank(), onClick = {
                    scope.launch {
                        error = model.logBarrier(id, logText)
                        if (error == null) logText = ""
                    }
                }) { Text("Barrier") }
                OutlinedButton(enabled = logText.isNotBlank(), onClick = {
                    scope.launch {
                        error = model.logCourseCorrection(id, logText)
                        if (error == null) logText = ""
                    }
                }) { Text("Course correction") }
            }
        }
    }
}
