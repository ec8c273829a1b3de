import SwiftUI
import RapportKit

/// Check-ins: a quick mood rating (0 worst, 10 best) with "I'm in crisis",
/// and the weekly PHQ-9. Item 9 above 0, or "I'm in crisis", shows crisis
/// resources at once, from the device, with no network. The wording never
/// suggests someone is watching: the therapist sees check-ins at the next
/// review.
struct CheckInView: View {
    let store: RecordStore

    var body: some View {
        NavigationStack {
            List {
                NavigationLink("How are you right now?") { MoodCheckInView(store: store) }
                NavigationLink("Weekly questionnaire (PHQ-9)") { PHQ9View(store: store) }
            }
            .navigationTitle("Check-in")
            .getHelpToolbar()
        }
    }
}

struct MoodCheckInView: View {
    let store: RecordStore
    @State private var rating = 5.0
    @State private var event = ""
    @State private var crisis = false
    @State private var alert: SafetyAlert?
    @State private var error: String?
    @State private var saved = false

    var body: some View {
        Form {
            Section("Mood, 0 (worst) to 10 (best)") {
                Slider(value: $rating, in: 0...10, step: 1) { Text("Mood") }
                    .accessibilityValue("\(Int(rating)) of 10")
                Text("\(Int(rating))").font(.title2.monospacedDigit()).accessibilityHidden(true)
            }
            Section("What happened?") {
                PrivateTextField("The event behind it (optional)", text: $event)
            }
            Section {
                Toggle("I'm in crisis", isOn: $crisis)
                    .accessibilityHint("Shows crisis lines at once when you save")
            }
            if saved { Text("Saved.").foregroundStyle(.secondary) }
        }
        .navigationTitle("Mood")
        .toolbar { Button("Save") { Task { await save() } } }
        .sheet(item: $alert) { CrisisResourcesView(alert: $0) }
        .alert("Not saved", isPresented: .constant(error != nil)) {
            Button("OK") { error = nil }
        } message: { Text(error ?? "") }
    }

    private func save() async {
        do {
            let result = try await store.checkIn(
                MoodCheckIn(at: Date(), rating: Int32(rating), event: event, crisis: crisis))
            alert = result.safetyAlert  // shown at once; no network involved
            saved = true
            event = ""
            crisis = false
        } catch let e as StoreError {
            error = e.message  // what was typed stays
        } catch {
            self.error = error.localizedDescription
        }
    }
}

/// The PHQ-9: every item starts unanswered, and all nine are needed.
struct PHQ9View: View {
    let store: RecordStore
    @State private var answers: [Int?] = Array(repeating: nil, count: 9)
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

    private var complete: [Int]? {
        let given = answers.compactMap { $0 }
        return given.count == 9 ? given : nil
    }

    var body: some View {
        Form {
            Section {
                Text("Over the last two weeks, how often have you been bothered by the following?")
            }
            ForEach(0..<9, id: \.self) { i in
                Section {
                    Picker(selection: $answers[i]) {
                        ForEach(0..<4, id: \.self) { Text(Self.scale[$0]).tag(Optional($0)) }
                    } label: {
                        Text("\(i + 1). \(Self.questions[i])")
                    }
                    .pickerStyle(.inline)
                    .accessibilityLabel("Question \(i + 1) of 9: \(Self.questions[i])")
                    .accessibilityValue(answers[i].map { Self.scale[$0] } ?? "Not answered")
                }
            }
            Section {
                if complete == nil {
                    Text("\(answers.filter { $0 == nil }.count) questions left to answer")
                        .foregroundStyle(.secondary)
                }
                if let saved {
                    Text("Total \(saved.item.total) of 27 (\(severityName(saved.item.severity)))")
                }
            }
        }
        .navigationTitle("PHQ-9")
        .toolbar {
            Button("Save") { Task { await save() } }
                .disabled(complete == nil)
                .accessibilityHint(complete == nil ? "Answer all nine questions first" : "")
        }
        .sheet(item: $alert) { CrisisResourcesView(alert: $0) }
        .alert("Not saved", isPresented: .constant(error != nil)) {
            Button("OK") { error = nil }
        } message: { Text(error ?? "") }
    }

    private func save() async {
        guard let complete else { return }
        do {
            let result = try await store.checkIn(Phq9CheckIn(at: Date(), items: complete.map(Int32.init)))
            saved = result
            alert = result.safetyAlert  // shown at once; no network involved
        } catch let e as StoreError {
            error = e.message  // the answers stay
        } catch {
            self.error = error.localizedDescription
        }
    }
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
