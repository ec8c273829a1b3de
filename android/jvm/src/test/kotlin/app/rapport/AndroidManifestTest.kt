// The sample app is not built here (no Android SDK), but what its manifest
// and backup rules promise is checked: sync needs INTERNET, and the record
// and the Keystore-wrapped keys must never be in a backup or a device
// transfer (after a restore the key cannot be unwrapped).
package app.rapport

import java.io.File
import javax.xml.parsers.DocumentBuilderFactory
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.w3c.dom.Element

class AndroidManifestTest {
    private val app = File(System.getProperty("rapport.androidDir") ?: "../app", "src/main")
    private val androidNs = "http://schemas.android.com/apk/res/android"

    private fun parse(file: File): Element {
        check(file.isFile) { "$file is missing" }
        val factory = DocumentBuilderFactory.newInstance().apply { isNamespaceAware = true }
        return factory.newDocumentBuilder().parse(file).documentElement
    }

    private fun Element.children(tag: String): List<Element> = (0 until childNodes.length).map { childNodes.item(it) }.filterIsInstance<Element>().filter { it.tagName == tag }

    private fun Element.android(name: String): String = getAttributeNS(androidNs, name)

    private val manifest by lazy { parse(File(app, "AndroidManifest.xml")) }
    private val application by lazy { manifest.children("application").single() }

    /** The files a backup must not carry: the record with its WAL files, and the wrapped keys. */
    private val secret =
        setOf(
            "file" to "rapport.db",
            "file" to "rapport.db-wal",
            "file" to "rapport.db-shm",
            "sharedpref" to "rapport-keys.xml"
        )

    private fun excluded(section: Element): Set<Pair<String, String>> = section.children("exclude").map { it.getAttribute("domain") to it.getAttribute("path") }.toSet()

    private fun rules(attribute: String): File {
        val ref = application.android(attribute)
        assertTrue(ref.startsWith("@xml/"), "android:$attribute is $ref")
        return File(app, "res/xml/${ref.removePrefix("@xml/")}.xml")
    }

    @Test
    fun `the manifest asks for the network, which sync needs`() {
        val permissions = manifest.children("uses-permission").map { it.android("name") }
        assertTrue("android.permission.INTERNET" in permissions, "$permissions")
    }

    @Test
    fun `backups on Android 12 and later leave out the record and the keys`() {
        val rules = parse(rules("dataExtractionRules"))
        assertEquals("data-extraction-rules", rules.tagName)
        for (section in listOf("cloud-backup", "device-transfer")) {
            val found = rules.children(section).singleOrNull() ?: error("no <$section> section")
            assertTrue(excluded(found).containsAll(secret), "$section excludes ${excluded(found)}")
        }
    }

    @Test
    fun `backups on Android 11 and older leave out the record and the keys`() {
        val rules = parse(rules("fullBackupContent"))
        assertEquals("full-backup-content", rules.tagName)
        assertTrue(excluded(rules).containsAll(secret), "excludes ${excluded(rules)}")
    }

    @Test
    fun `the excluded names are the ones the app writes`() {
        val sources = File(app, "kotlin").walkTopDown().filter { it.extension == "kt" }.joinToString("\n") { it.readText() }
        assertTrue(sources.contains("const val PREFS = \"rapport-keys\""), "the wrapped keys' preferences file is renamed")
        assertTrue(sources.contains("\"rapport.db\""), "the record's file is renamed")
    }
}
