// The weekly PHQ-9, and the crisis resources shown at once when item 9 is
// above 0. The resources come from the device (no network). The wording
// never suggests that someone is watching: the alert's own message says the
// app is not monitored in real time and the therapist sees it at the next review.
package app.rapport.sample

import android.content.Intent
import android.net.Uri
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
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.unit.dp
import app.rapport.SafetyAlert

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
        "Thoughts that you would be better off dead, or of hurting yourself",
    )

private val ANSWERS = listOf("Not at all", "Several days", "More than half", "Nearly every day")

@Composable
fun Phq9Screen(model: RapportViewModel) {
    val answers = remember { mutableStateListOf(*Array(9) { 0 }) }
    Column(
        Modifier.padding(16.dp).verticalScroll(rememberScrollState()),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        Text("Over the last 2 weeks, how often have you been bothered by…", style = MaterialTheme.typography.titleMedium)
        QUESTIONS.forEachIndexed { i, question ->
            Text("${i + 1}. $question")
            SingleChoiceSegmentedButtonRow {
                ANSWERS.forEachIndexed { score, answer ->
                    SegmentedButton(
                        selected = answers[i] == score,
                        onClick = { answers[i] = score },
                        shape = SegmentedButtonDefaults.itemShape(index = score, count = ANSWERS.size),
                    ) { Text(answer, style = MaterialTheme.typography.labelSmall) }
                }
            }
        }
        Button(onClick = { model.submitPhq9(answers.toList()) }) { Text("Save this week's check-in") }
    }
}

@Composable
fun CrisisResourcesDialog(
    alert: SafetyAlert,
    onDismiss: () -> Unit,
) {
    val context = LocalContext.current
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text("Help is available now") },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(alert.message)
                alert.resources.forEach { resource ->
                    val number = resource.contact.filter { it.isDigit() || it == '+' }
                    if (number.length >= 3) {
                        TextButton(onClick = {
                            // Opens the dialer with the number filled in; the person decides to call.
                            context.startActivity(Intent(Intent.ACTION_DIAL, Uri.parse("tel:$number")))
                        }) { Text("${resource.name}: ${resource.contact}") }
                    } else {
                        Text("${resource.name}: ${resource.contact}")
                    }
                }
            }
        },
        confirmButton = { TextButton(onClick = onDismiss) { Text("Close") } },
    )
}
