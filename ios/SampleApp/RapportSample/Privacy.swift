import LocalAuthentication
import SwiftUI
import UIKit

/// The app lock: Face ID / Touch ID with the device passcode as fallback
/// (`.deviceOwnerAuthentication`), at launch and on return after `timeout`
/// in the background.
@MainActor
@Observable
final class AppLock {
    private(set) var unlocked = false
    private(set) var failure: String?
    private var backgroundedAt: Date?
    let timeout: TimeInterval = 60

    func unlock() async {
        let context = LAContext()
        var error: NSError?
        guard context.canEvaluatePolicy(.deviceOwnerAuthentication, error: &error) else {
            // No passcode set on the device: nothing to check against. Say so
            // rather than locking the client out of their own record.
            failure = "Set a device passcode to lock Rapport."
            unlocked = true
            return
        }
        do {
            unlocked = try await context.evaluatePolicy(
                .deviceOwnerAuthentication, localizedReason: "Unlock your Rapport journal")
            failure = nil
        } catch {
            failure = error.localizedDescription
        }
    }

    /// Asks again who is there before something only the owner may see (the
    /// recovery kit), even while unlocked. True without a passcode (nothing
    /// to ask; the app is not locked either).
    func confirm(_ reason: String) async -> Bool {
        let context = LAContext()
        var error: NSError?
        guard context.canEvaluatePolicy(.deviceOwnerAuthentication, error: &error) else { return true }
        return (try? await context.evaluatePolicy(.deviceOwnerAuthentication, localizedReason: reason)) ?? false
    }

    func didEnterBackground() { backgroundedAt = Date() }

    /// Locks again if the app was away longer than the timeout.
    func willEnterForeground() {
        if let at = backgroundedAt, Date().timeIntervalSince(at) > timeout { unlocked = false }
        backgroundedAt = nil
    }
}

/// What the app switcher's snapshot and a glance at the screen see while
/// the app is not active: no content. (iOS takes the snapshot when the scene
/// leaves `.active`. iOS offers no way to block screenshots or screen
/// recording of an active app; `UIScreen.capturedDidChangeNotification`
/// only tells that recording started, and we cover the screen then too.)
struct PrivacyCover: View {
    var body: some View {
        ZStack {
            Rectangle().fill(.background)
            VStack(spacing: 12) {
                Image(systemName: "lock.fill").font(.largeTitle).accessibilityHidden(true)
                Text("Rapport").font(.title2.bold())
            }
        }
        .ignoresSafeArea()
        .accessibilityElement(children: .combine)
        .accessibilityLabel("Rapport is hidden")
    }
}

/// The lock screen: unlock, or get help without unlocking (a person in
/// crisis must never be stopped by a passcode prompt).
struct LockView: View {
    let lock: AppLock

    var body: some View {
        NavigationStack {
            VStack(spacing: 24) {
                Image(systemName: "lock.fill").font(.largeTitle).accessibilityHidden(true)
                Text("Rapport is locked").font(.title2.bold())
                Button("Unlock") { Task { await lock.unlock() } }
                    .buttonStyle(.borderedProminent)
                if let failure = lock.failure {
                    Text(failure).font(.callout).foregroundStyle(.secondary).multilineTextAlignment(.center)
                }
            }
            .padding()
            .getHelpToolbar()
        }
    }
}

/// Refuses third-party keyboards app-wide: a custom keyboard with "full
/// access" could send what is typed anywhere. The system keyboard stays.
final class AppDelegate: NSObject, UIApplicationDelegate {
    func application(
        _ application: UIApplication,
        shouldAllowExtensionPointIdentifier extensionPointIdentifier: UIApplication.ExtensionPointIdentifier
    ) -> Bool {
        extensionPointIdentifier != .keyboard
    }
}

/// A journal text field that keeps what is typed out of the keyboard's
/// learning as far as iOS allows: no autocorrection, no spell checking, no
/// predictive/inline suggestions, no smart punctuation (UITextInputTraits).
/// Apple documents no switch that guarantees the system keyboard learns
/// nothing; only secure entry (which hides the text) is excluded from the
/// keyboard's dictionary for certain. See ios/README.md.
struct PrivateTextField: UIViewRepresentable {
    let placeholder: String
    @Binding var text: String

    init(_ placeholder: String, text: Binding<String>) {
        self.placeholder = placeholder
        _text = text
    }

    func makeUIView(context: Context) -> UITextField {
        let field = UITextField()
        field.placeholder = placeholder
        field.accessibilityLabel = placeholder
        field.font = .preferredFont(forTextStyle: .body)
        field.adjustsFontForContentSizeCategory = true
        field.autocorrectionType = .no
        field.spellCheckingType = .no
        field.autocapitalizationType = .sentences
        field.smartQuotesType = .no
        field.smartDashesType = .no
        field.smartInsertDeleteType = .no
        if #available(iOS 17.0, *) { field.inlinePredictionType = .no }
        field.textContentType = nil
        field.addTarget(context.coordinator, action: #selector(Coordinator.changed(_:)), for: .editingChanged)
        field.setContentCompressionResistancePriority(.defaultLow, for: .horizontal)
        return field
    }

    func updateUIView(_ field: UITextField, context: Context) {
        if field.text != text { field.text = text }
    }

    func makeCoordinator() -> Coordinator { Coordinator(text: $text) }

    final class Coordinator: NSObject {
        let text: Binding<String>
        init(text: Binding<String>) { self.text = text }
        @objc func changed(_ field: UITextField) { text.wrappedValue = field.text ?? "" }
    }
}
