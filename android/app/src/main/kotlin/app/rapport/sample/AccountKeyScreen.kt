// The account key on screen: the recovery kit shown once after sign-up and
// again in settings (behind a fresh app-lock check), a phone without the key
// asking for the kit or for pairing, "add a device" on a phone that has it,
// and the safety number per linked therapist. Pairing carries the offer and
// the sealed key as QR codes (or text to paste); the codes to compare are
// six digits.
package app.rapport.sample

import android.graphics.Bitmap
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.rapport.Device
import app.rapport.PairingOffer
import app.rapport.sentence
import com.google.mlkit.vision.barcode.common.Barcode
import com.google.mlkit.vision.codescanner.GmsBarcodeScannerOptions
import com.google.mlkit.vision.codescanner.GmsBarcodeScanning
import com.google.zxing.BarcodeFormat
import com.google.zxing.qrcode.QRCodeWriter
import kotlinx.coroutines.launch

/** What the person reads before the kit: it is the only way back without this phone. */
private const val WRITE_IT_DOWN = "Write this down and keep it somewhere safe: without it and without this phone, nothing can be recovered."

/** After sign-up, once: the new account's recovery kit. */
@Composable
fun NewRecoveryKitDialog(model: RapportViewModel) {
    val kit by model.newRecoveryKit.collectAsStateWithLifecycle()
    val shown = kit ?: return
    AlertDialog(
        onDismissRequest = {},
        properties = KEEP_ON_OUTSIDE_TAP,
        title = { Text("Your recovery kit") },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(WRITE_IT_DOWN)
                KitText(shown)
                Text("Your therapist cannot recover it for you, and neither can the server.", style = MaterialTheme.typography.bodySmall)
            }
        },
        confirmButton = { TextButton(onClick = model::dismissNewRecoveryKit) { Text("I wrote it down") } }
    )
}

@Composable
private fun KitText(kit: String) = SelectionContainer {
    Text(kit, fontFamily = FontFamily.Monospace, style = MaterialTheme.typography.bodyLarge)
}

/** Signed in, but this phone has no account key: the kit, or pairing with a phone that has it. */
@Composable
fun KeyNeededSection(model: RapportViewModel) {
    val scope = rememberCoroutineScope()
    var kit by remember { mutableStateOf("") }
    var error by remember { mutableStateOf<String?>(null) }
    Text("This phone cannot read your synced entries until it has your account key.")
    OutlinedTextField(
        kit,
        { kit = it },
        label = { Text("Recovery kit") },
        keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Characters, autoCorrectEnabled = false),
        modifier = Modifier.fillMaxWidth()
    )
    Button(onClick = { scope.launch { error = model.useRecoveryKit(kit) } }) { Text("Use this recovery kit") }
    SaveError(error)
    Text("Or add this phone from your other phone:", style = MaterialTheme.typography.titleSmall)
    ReceivePairing(model)
    Text("Or, if you made one, restore your passphrase backup:", style = MaterialTheme.typography.titleSmall)
    PassphraseField("Restore the backup") { model.restoreAccountKey(it) }
}

/**
 * A passphrase and one action with it (back up, or restore). The passphrase
 * is sealed on this phone (Argon2id) and never leaves it; the field is
 * cleared as soon as it is used.
 */
@Composable
private fun PassphraseField(action: String, run: suspend (String) -> String?) {
    val scope = rememberCoroutineScope()
    var passphrase by remember { mutableStateOf("") }
    var outcome by remember { mutableStateOf<String?>(null) }
    OutlinedTextField(
        passphrase,
        { passphrase = it },
        label = { Text("Backup passphrase") },
        visualTransformation = PasswordVisualTransformation(),
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password, autoCorrectEnabled = false),
        modifier = Modifier.fillMaxWidth()
    )
    Button(enabled = passphrase.length >= 12, onClick = {
        val typed = passphrase
        passphrase = ""
        scope.launch { outcome = run(typed) }
    }) { Text(action) }
    Text("At least 12 characters. Forget it, and the backup cannot be opened by anyone: not by us, not by your therapist.", style = MaterialTheme.typography.bodySmall)
    SaveError(outcome)
}

/** The new phone's side: show the offer, take the other phone's answer, show the code to compare. */
@Composable
private fun ReceivePairing(model: RapportViewModel) {
    val scope = rememberCoroutineScope()
    var offer by remember { mutableStateOf<PairingOffer?>(null) }
    var sealed by remember { mutableStateOf("") }
    var code by remember { mutableStateOf<String?>(null) }
    var error by remember { mutableStateOf<String?>(null) }
    DisposableEffect(Unit) { onDispose { offer?.close() } }
    val scan = rememberQrScanner { sealed = it }
    val current = offer
    if (current == null) {
        OutlinedButton(onClick = { scope.launch { offer = model.newPairingOffer() } }) { Text("Add this phone from another one") }
        return
    }
    val shownCode = code
    if (shownCode == null) {
        Text("1. On your other phone, open Privacy › Add a device and scan this code (or type the text under it).")
        QrCode(current.offer, "Pairing code for your other phone")
        KitText(current.offer)
        Text("2. Then scan what your other phone shows, or paste its text here.")
        OutlinedTextField(sealed, { sealed = it }, label = { Text("From your other phone") }, modifier = Modifier.fillMaxWidth())
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedButton(onClick = scan) { Text("Scan") }
            Button(
                enabled = sealed.isNotBlank(),
                onClick = {
                    scope.launch {
                        error =
                            try {
                                code = model.acceptPairing(current, sealed)
                                null
                            } catch (e: Exception) {
                                e.sentence
                            }
                    }
                }
            ) { Text("Continue") }
        }
        SaveError(error)
    } else {
        Text("3. Does your other phone show the same number?")
        Text(shownCode, style = MaterialTheme.typography.displaySmall, modifier = Modifier.semantics { contentDescription = shownCode.toList().joinToString(" ") })
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Button(onClick = {
                model.syncNow()
                offer = null
                code = null
            }) { Text("Yes, the same") }
            OutlinedButton(onClick = model::rejectPairing) { Text("No, it differs") }
        }
    }
}

/** Settings (behind the app lock): the recovery kit again, add a device, safety numbers. */
@Composable
fun AccountKeySettings(model: RapportViewModel) {
    val scope = rememberCoroutineScope()
    val lock = LocalAppLock.current
    var kit by remember { mutableStateOf<String?>(null) }
    var error by remember { mutableStateOf<String?>(null) }
    Text("Your account key", style = MaterialTheme.typography.titleMedium)
    val shown = kit
    if (shown == null) {
        OutlinedButton(onClick = {
            val reveal = { scope.launch { error = runCatching { kit = model.recoveryKit() }.exceptionOrNull()?.sentence } }
            // Asked again even while unlocked: the kit opens everything.
            lock?.confirm("Show your recovery kit") { reveal() } ?: reveal()
        }) { Text("Show my recovery kit") }
    } else {
        Text(WRITE_IT_DOWN)
        KitText(shown)
        TextButton(onClick = { kit = null }) { Text("Hide it") }
    }
    SaveError(error)
    Text("Add a device", style = MaterialTheme.typography.titleSmall)
    SendPairing(model)
    Text("Passphrase backup on the server", style = MaterialTheme.typography.titleSmall)
    Text("Optional: your account key, sealed on this phone under a passphrase only you know. With it, a new phone can read your record even if this one is lost.")
    PassphraseField("Back up my account key") { model.backUpAccountKey(it) }
    LostDevice(model)
    SafetyNumbers(model)
}

/**
 * "I lost a device": signs it out and replaces the account key, after the
 * app lock asks again (it changes the recovery kit).
 */
@Composable
private fun LostDevice(model: RapportViewModel) {
    val scope = rememberCoroutineScope()
    val lock = LocalAppLock.current
    var devices by remember { mutableStateOf<List<Device>?>(null) }
    var result by remember { mutableStateOf<String?>(null) }
    Text("A lost or stolen device", style = MaterialTheme.typography.titleSmall)
    Text(
        "Signs it out and changes your account key, so it cannot read anything you write from now on, " +
            "even with a copy of the server. What it already saw stays seen. You get a new recovery kit; " +
            "your other devices need it (or pairing) to sync again."
    )
    val shown = devices
    if (shown == null) {
        OutlinedButton(onClick = { scope.launch { result = runCatching { devices = model.devices() }.exceptionOrNull()?.sentence } }) {
            Text("I lost a device")
        }
    } else {
        for (device in shown.filter { !it.current }) {
            OutlinedButton(onClick = {
                val cut = {
                    scope.launch {
                        result = model.cutOffLostDevice(device.deviceId)
                        devices = null
                    }
                }
                lock?.confirm("Cut off ${device.name}") { cut() } ?: cut()
            }) { Text("Cut off ${device.name}") }
        }
        if (shown.none { !it.current }) Text("No other device is signed in.")
    }
    result?.let { Text(it) }
}

/** The phone that has the key: scan (or type) the new phone's offer, show the sealed key and the code. */
@Composable
private fun SendPairing(model: RapportViewModel) {
    val scope = rememberCoroutineScope()
    var offer by remember { mutableStateOf("") }
    var answer by remember { mutableStateOf<Pair<String, String>?>(null) }
    var error by remember { mutableStateOf<String?>(null) }
    val scan = rememberQrScanner { offer = it }
    val shown = answer
    if (shown == null) {
        Text("On the new phone, sign in and choose \"Add this phone from another one\"; then scan its code here.")
        OutlinedTextField(offer, { offer = it }, label = { Text("The new phone's code") }, modifier = Modifier.fillMaxWidth())
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedButton(onClick = scan) { Text("Scan") }
            Button(enabled = offer.isNotBlank(), onClick = {
                scope.launch {
                    error =
                        try {
                            answer = model.sealForPairing(offer)
                            null
                        } catch (e: Exception) {
                            e.sentence
                        }
                }
            }) { Text("Continue") }
        }
        SaveError(error)
    } else {
        val (sealed, code) = shown
        Text("Scan this with the new phone (or paste the text under it there).")
        QrCode(sealed, "Your account key, sealed for the new phone")
        SelectionContainer { Text(sealed, fontFamily = FontFamily.Monospace, style = MaterialTheme.typography.bodySmall) }
        Text("The new phone must then show this number; if it shows another, choose \"No, it differs\" there.")
        Text(code, style = MaterialTheme.typography.displaySmall, modifier = Modifier.semantics { contentDescription = code.toList().joinToString(" ") })
        TextButton(onClick = {
            answer = null
            offer = ""
        }) { Text("Done") }
    }
}

/** One safety number per linked therapist, to read aloud together in session. */
@Composable
private fun SafetyNumbers(model: RapportViewModel) {
    var numbers by remember { mutableStateOf<List<Pair<String, String>>>(emptyList()) }
    var error by remember { mutableStateOf<String?>(null) }
    LaunchedEffect(Unit) {
        error =
            try {
                numbers = model.sharing().links.map { it.therapistName to model.safetyNumber(it.therapist) }
                null
            } catch (e: Exception) {
                e.sentence
            }
    }
    if (numbers.isEmpty() && error == null) return
    Text("Safety numbers", style = MaterialTheme.typography.titleSmall)
    Text(
        "Compare this number with your therapist's in session. If they differ, someone may be reading in between: share nothing more until you have talked.",
        style = MaterialTheme.typography.bodySmall
    )
    numbers.forEach { (name, number) -> Text("$name: $number", fontFamily = FontFamily.Monospace) }
    SaveError(error)
}

/** A QR code of [text], drawn with ZXing's encoder. */
@Composable
private fun QrCode(text: String, description: String) {
    val bitmap =
        remember(text) {
            val matrix = QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, QR_PIXELS, QR_PIXELS)
            val pixels = IntArray(QR_PIXELS * QR_PIXELS) { i -> if (matrix.get(i % QR_PIXELS, i / QR_PIXELS)) BLACK else WHITE }
            Bitmap.createBitmap(pixels, QR_PIXELS, QR_PIXELS, Bitmap.Config.ARGB_8888).asImageBitmap()
        }
    Image(bitmap, contentDescription = description, modifier = Modifier.size(220.dp))
}

/** Scans one QR code with Google's code scanner (Play services' own activity: no camera permission here). */
@Composable
private fun rememberQrScanner(onResult: (String) -> Unit): () -> Unit {
    val context = LocalContext.current
    return remember(context) {
        {
            val options = GmsBarcodeScannerOptions.Builder().setBarcodeFormats(Barcode.FORMAT_QR_CODE).build()
            GmsBarcodeScanning
                .getClient(context, options)
                .startScan()
                .addOnSuccessListener { barcode -> barcode.rawValue?.let(onResult) }
        }
    }
}

private const val QR_PIXELS = 512
private const val BLACK = 0xFF000000.toInt()
private const val WHITE = 0xFFFFFFFF.toInt()
