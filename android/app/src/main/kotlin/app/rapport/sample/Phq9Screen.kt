// The weekly PHQ-9 (every item starts unanswered; all nine are needed to
// save), and the crisis resources shown at once when item 9 is above 0. The resources come from the device (no network). The wording
// never suggests that someone is watching: the alert's own message says the
// app is not monitored in real time and the therapist sees it at the next review.
package app.rapport.sample

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.SegmentedButton
import androidx.compose.material3.SegmentedButtonDefaults
import androidx.compose.material3.SingleChoiceSegmentedButtonRow
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.isTraversalGroup
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.rapport.SafetyAlert
import kotlinx.coroutines.launch

private val QUESTIONS =
    listOf(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things",
        "Moving or speaking so slowly that other people could have noticed, or being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead, or of hurting yourself"
    )

private val ANSWERS = listOf("Not at all", "Several days", "More than half", "Nearly every day")

@Composable
fun Phq9Screen(model: RapportViewModel) {
    // Unanswered until the person picks: no answer is ever assumed.
    val answers = remember { mutableStateListOf<Int?>(*arrayOfNulls(9)) }
    val scope = rememberCoroutineScope()
    var error by remember { mutableStateOf<String?>(null) }
    var saved by remember { mutableStateOf(false) }
    val missing = answers.count { it == null }
    Column(
        Modifier.padding(16.dp).verticalScroll(rememberScrollState()),
        verticalArrangement = Arrangement.spacedBy(12.dp)
    ) {
        Text(
            "Over the last 2 weeks, how often have you been bothered by…",
            style = MaterialTheme.typography.titleMedium,
            modifier = Modifier.semantics { heading() }
        )
        QUESTIONS.forEachIndexed { i, question ->
            // One group per question, so TalkBack reads the question before its four answers.
            Column(Modifier.semantics(mergeDescendants = false) { isTraversalGroup = true }) {
                Text("${i + 1}. $question")
                SingleChoiceSegmentedButtonRow {
                    ANSWERS.forEachIndexed { score, answer ->
                        SegmentedButton(
                            selected = answers[i] == score,
                            onClick = {
                                answers[i] = score
                                saved = false
                            },
                            shape = SegmentedButtonDefaults.itemShape(index = score, count = ANSWERS.size),
                            modifier = Modifier.semantics { contentDescription = "Question ${i + 1}: $answer" }
                        ) { Text(answer, style = MaterialTheme.typography.labelSmall) }
                    }
                }
            }
        }
        if (missing > 0) Text("$missing of 9 questions still to answer.")
        SaveError(error)
        if (saved) Text("Saved. Thank you.")
        Button(enabled = missing == 0, onClick = {
            scope.launch {
                // On failure the answers stay as they are, with the reason shown.
                error = model.submitPhq9(answers.map { it!! })
                saved = error == null
            }
        }) { Text("Save this week's check-in") }
    }
}

@Composable
fun CrisisResourcesDialog(alert: SafetyAlert, onDismiss: () -> Unit) {
    AlertDialog(
        onDismissRequest = onDismiss,
        properties = KEEP_ON_OUTSIDE_TAP,
        title = { Text("Help is available now") },
        text = { Column(Modifier.verticalScroll(rememberScrollState())) { CrisisResourceList(alert.resources, alert.message) } },
        confirmButton = { TextButton(onClick = onDismiss) { Text("Close") } }
    )
}
