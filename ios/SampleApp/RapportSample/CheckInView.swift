import SwiftUI
import RapportKit

/// The weekly PHQ-9. Item 9 above 0 shows crisis resources at once, from the
/// device, with no network. The wording never suggests someone is watching:
/// the therapist sees the check-in at the next review.
struct CheckInView: View {
    let store: RecordStore
    @State private var answers = Array(repeating: 0, count: 9)
    @State private var saved: Phq9CheckInSaved?
    @State private var alert: SafetyAlert?
    @State private var error: String?

    private static let questions = [
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things",
        "Moving or speaking slowly, or being fidgety or restless",
        "Thoughts that you would be better off dead, or of hurting yourself",
    ]
    private static let scale = ["Not at all", "Several days", "More than half the days", "Nearly every day"]

    var body: some View {
        NavigationStack {
            Form {
                Section {
                    Text("Over the last two weeks, how often have you been bothered by the following?")
                        .font(.callout)
                }
                ForEach(0..<9, id: \.self) { i in
                    Section {
                        Picker(Self.questions[i], selection: $answers[i]) {
                            ForEach(0..<4, id: \.self) { Text(Self.scale[$0]).tag($0) }
                        }
                        .pickerStyle(.inline)
                    }
                }
                if let saved {
                    Section("Result") {
                        Text("Total \(saved.item.total) of 27 (\(severityName(saved.item.severity)))")
                    }
                }
            }
            .navigationTitle("Check-in")
            .toolbar { Button("Save", action: save) }
            .sheet(item: $alert) { CrisisResourcesView(alert: $0) }
            .alert("Not saved", isPresented: .constant(error != nil)) {
                Button("OK") { error = nil }
            } message: { Text(error ?? "") }
        }
    }

    private func save() {
        do {
            let result = try store.checkInPHQ9(answers)
            saved = result
            alert = result.safetyAlert  // shown at once; no network involved
        } catch let e as StoreError {
            error = e.message
        } catch {
            self.error = error.localizedDescription
        }
    }
}

extension SafetyAlert: @retroactive Identifiable {
    public var id: String { message }
}

func severityName(_ severity: Phq9Severity) -> String {
    switch severity {
    case .minimal: "minimal"
    case .mild: "mild"
    case .moderate: "moderate"
    case .moderatelySevere: "moderately severe"
    case .severe: "severe"
    }
}

/// Places to turn to now. The message says plainly that Rapport is not
/// monitored in real time.
struct CrisisResourcesView: View {
    let alert: SafetyAlert
    @Environment(\.dismiss) private var dismiss
    @Environment(\.openURL) private var openURL

    var body: some View {
        NavigationStack {
            List {
                Section { Text(alert.message) }
                Section("Reach someone now") {
                    ForEach(alert.resources, id: \.name) { resource in
                        Button {
                            let digits = resource.contact.filter { $0.isNumber || $0 == "+" }
                            if let url = URL(string: "tel:\(digits)") { openURL(url) }
                        } label: {
                            VStack(alignment: .leading) {
                                Text(resource.name).font(.headline)
                                Text(resource.contact)
                            }
                        }
                    }
                }
            }
            .navigationTitle("You are not alone")
            .toolbar { Button("Close") { dismiss() } }
        }
        .interactiveDismissDisabled()
    }
}
