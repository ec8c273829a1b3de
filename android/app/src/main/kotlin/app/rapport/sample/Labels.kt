// Words shown for the record's enums (a real app takes them from resources).
package app.rapport.sample

import app.rapport.Channel
import app.rapport.ItemKind
import app.rapport.Ring

fun ItemKind.label(): String = when (this) {
    ItemKind.PROFILE -> "Profile"
    ItemKind.INTERACTION -> "Interaction"
    ItemKind.WIN -> "Win"
    ItemKind.REFLECTION -> "Reflection"
    ItemKind.GOAL -> "Goal"
    ItemKind.PERSON -> "Person"
    ItemKind.MOOD_CHECK_IN -> "Mood"
    ItemKind.PHQ9_CHECK_IN -> "PHQ-9"
    ItemKind.REHEARSAL -> "Rehearsal"
    ItemKind.NOTE -> "Therapist's note"
}

fun Channel.label(): String = when (this) {
    Channel.IN_PERSON -> "In person"
    Channel.PHONE -> "Phone"
    Channel.TEXT -> "Text"
    Channel.ONLINE -> "Online"
}

fun Ring.label(): String = when (this) {
    Ring.INNER -> "Inner circle"
    Ring.MIDDLE -> "Middle circle"
    Ring.OUTER -> "Outer circle"
}
