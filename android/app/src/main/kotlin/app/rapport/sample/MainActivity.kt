// Placeholder screen: shows that the Rust core loads and answers on a device.
package app.rapport.sample

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import app.rapport.Greeter
import app.rapport.Rapport

class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContent {
            MaterialTheme {
                Surface(modifier = Modifier.fillMaxSize()) {
                    CoreStatus()
                }
            }
        }
    }
}

@Composable
private fun CoreStatus() {
    var greeting by remember { mutableStateOf("…") }
    LaunchedEffect(Unit) {
        greeting = Greeter("Rapport").use { it.greet() }
    }
    Column(modifier = Modifier.padding(24.dp)) {
        Text("Rapport core ${Rapport.coreVersion}", style = MaterialTheme.typography.titleMedium)
        Text(greeting)
    }
}
