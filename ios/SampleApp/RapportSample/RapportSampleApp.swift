// Rapport sample app: the screens of the Android sample, over RapportKit only.
// Not part of the Swift package (SwiftUI is not on Linux): open it in Xcode,
// see ios/SampleApp/README.md.
import SwiftUI
import RapportKit

@main
struct RapportSampleApp: App {
    @State private var model = AppModel()

    var body: some Scene {
        WindowGroup {
            Group {
                if let store = model.store {
                    RootView(store: store)
                } else if let error = model.openError {
                    ContentUnavailableView("The record could not be opened", systemImage: "exclamationmark.triangle",
                                           description: Text(error))
                } else {
                    ProgressView()
                }
            }
            .environment(model)
            .task { model.open() }
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
            SettingsView().tabItem { Label("Sharing", systemImage: "lock.shield") }
        }
    }
}
