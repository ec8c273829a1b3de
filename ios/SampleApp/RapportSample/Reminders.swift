import Foundation
import UserNotifications

/// Local reminders (UNUserNotificationCenter): the weekly PHQ-9 and a
/// follow-up after a rehearsal, to log how the real conversation went. They
/// show no content: not the person, not the scenario, not the word PHQ-9,
/// nothing a glance at a locked phone could read. Nothing leaves the device.
enum Reminders {
    private static let weekly = "rapport.weekly-checkin"
    private static let neutralTitle = "Rapport"
    private static let neutralBody = "You have a reminder."

    /// Asks once, then keeps one weekly reminder (Sunday, 18:00 local).
    static func schedule() async {
        let center = UNUserNotificationCenter.current()
        guard (try? await center.requestAuthorization(options: [.alert, .sound])) == true else { return }
        var when = DateComponents()
        when.weekday = 1
        when.hour = 18
        let trigger = UNCalendarNotificationTrigger(dateMatching: when, repeats: true)
        try? await center.add(UNNotificationRequest(identifier: weekly, content: content(), trigger: trigger))
    }

    /// A day after practising a rehearsal.
    static func followUp(rehearsalId: String, practicedAt: Date) async {
        let at = practicedAt.addingTimeInterval(24 * 60 * 60)
        let interval = max(60, at.timeIntervalSinceNow)
        let trigger = UNTimeIntervalNotificationTrigger(timeInterval: interval, repeats: false)
        try? await UNUserNotificationCenter.current().add(
            UNNotificationRequest(identifier: "rapport.rehearsal.\(rehearsalId)", content: content(), trigger: trigger))
    }

    private static func content() -> UNMutableNotificationContent {
        let content = UNMutableNotificationContent()
        content.title = neutralTitle
        content.body = neutralBody
        content.sound = .default
        // Hidden previews by default are the user's choice in Settings; the
        // text above is already free of content either way.
        return content
    }
}
