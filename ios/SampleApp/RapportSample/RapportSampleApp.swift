// Rapport sample app: the screens of the Android sample, over RapportKit only.
// Not part of the Swift package (SwiftUI is not on Linux): open it in Xcode,
// see ios/SampleApp/README.md.
import SwiftUI
import RapportKit

@main
struct RapportSampleApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var appDelegate
    @State private var model = AppModel()
    @State private var lock = AppLock()
    @Environment(\.scenePhase) private var scenePhase

    var body: some Scene {
        WindowGroup {
            ZStack {
                if !lock.unlocked {
                    LockView(lock: lock)
                } else if let store = model.store {
                    RootView(store: store)
                } else if let error = model.openError {
                    NavigationStack {
                        ContentUnavailableView("The record could not be opened", systemImage: "exclamationmark.triangle",
                                               description: Text(error))
                            .getHelpToolbar()
                    }
                } else {
                    ProgressView("Opening your record")
                }
                // No content in the app switcher's snapshot or while inactive.
                if scenePhase != .active { PrivacyCover() }
            }
            .environment(model)
            .environment(lock)
            .task {
                await model.open()
                await lock.unlock()
                await Reminders.schedule()
            }
            .onChange(of: scenePhase) { old, new in
                if new == .background { lock.didEnterBackground() }
                if old == .background, new != .background {
                    lock.willEnterForeground()
                    if !lock.unlocked { Task { await lock.unlock() } }
                }
            }
        }
    }
}

struct RootView: View {
    let store: RecordStore

    var body: some View {
        TabView {
            JournalView(store: store).tabItem { Label("Journal", systemImage: "book") }
            GoalsView(store: store).tabItem { Label("Goals", systemImage: "flag") }
            InventoryView(store: store).tabItem { Label("People", systemImage: "person.3") }
            CheckInView(store: store).tabItem { Label("Check-in", systemImage: "heart.text.square") }
            SettingsView(store: store).tabItem { Label("Privacy", systemImage: "lock.shield") }
        }
    }
}
