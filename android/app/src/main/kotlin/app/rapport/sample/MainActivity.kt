// The sample app: five tabs over one ViewModel. Android specifics (activity,
// dialer intent) live here; the record itself is the app.rapport library.
package app.rapport.sample

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.viewModels
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.PrimaryTabRow
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SnackbarHost
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.Tab
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.lifecycle.compose.collectAsStateWithLifecycle

class MainActivity : ComponentActivity() {
    private val model: RapportViewModel by viewModels()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContent {
            MaterialTheme {
                RapportApp(model)
            }
        }
    }
}

private val TABS = listOf("Journal", "Goals", "People", "Check-in", "Sync")

@Composable
fun RapportApp(model: RapportViewModel) {
    var tab by rememberSaveable { mutableIntStateOf(0) }
    val snackbar = remember { SnackbarHostState() }
    val celebration by model.celebration.collectAsStateWithLifecycle()
    val message by model.message.collectAsStateWithLifecycle()
    val alert by model.safetyAlert.collectAsStateWithLifecycle()

    LaunchedEffect(celebration) {
        celebration?.let {
            snackbar.showSnackbar("🎉 A win: $it. Well done!")
            model.dismissCelebration()
        }
    }
    LaunchedEffect(message) {
        message?.let {
            snackbar.showSnackbar(it)
            model.dismissMessage()
        }
    }

    Scaffold(snackbarHost = { SnackbarHost(snackbar) }) { padding ->
        Column(Modifier.fillMaxSize().padding(padding)) {
            PrimaryTabRow(selectedTabIndex = tab) {
                TABS.forEachIndexed { index, title ->
                    Tab(selected = tab == index, onClick = { tab = index }, text = { Text(title) })
                }
            }
            when (tab) {
                0 -> JournalScreen(model)
                1 -> GoalsScreen(model)
                2 -> InventoryScreen(model)
                3 -> Phq9Screen(model)
                else -> SyncScreen(model)
            }
        }
    }
    alert?.let { CrisisResourcesDialog(it, onDismiss = model::dismissSafetyAlert) }
}
