// The interpersonal inventory: the important people on the closeness circle.
package app.rapport.sample

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.ListItem
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.rapport.Ring
import kotlinx.coroutines.launch

@Composable
fun InventoryScreen(model: RapportViewModel) {
    val people by model.people.collectAsStateWithLifecycle()
    var nickname by rememberSaveable { mutableStateOf("") }
    var relationship by rememberSaveable { mutableStateOf("") }
    var ring by rememberSaveable { mutableStateOf(Ring.INNER) }
    var error by remember { mutableStateOf<String?>(null) }
    val scope = rememberCoroutineScope()
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        OutlinedTextField(
            value = nickname,
            onValueChange = { nickname = it },
            label = { Text("Nickname or initials") },
            modifier = Modifier.fillMaxWidth()
        )
        OutlinedTextField(
            value = relationship,
            onValueChange = { relationship = it },
            label = { Text("Relationship (partner, mother, manager…)") },
            modifier = Modifier.fillMaxWidth()
        )
        Row(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
            Ring.entries.forEach { r ->
                FilterChip(selected = r == ring, onClick = { ring = r }, label = { Text(r.label()) })
            }
        }
        SaveError(error)
        Button(enabled = nickname.isNotBlank(), onClick = {
            scope.launch {
                error = model.addPerson(nickname, relationship, ring)
                if (error == null) {
                    nickname = ""
                    relationship = ""
                }
            }
        }) { Text("Add to my inventory") }
        LazyColumn {
            items(people, key = { it.id }) { person -> ListItem(headlineContent = { Text(person.title) }) }
        }
    }
}
