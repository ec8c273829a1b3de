import SwiftUI
import RapportKit

/// Rehearse a hard conversation to come: with whom, what I want to say, how
/// they may answer, my confidence before and after practice. Saving it
/// schedules a follow-up reminder (with no content) to log how the real
/// conversation went.
struct LogRehearsalView: View {
    let store: RecordStore
    @Environment(\.dismiss) private var dismiss
    @State private var people: [Summary] = []
    @State private var personId: String?
    @State private var scenario = ""
    @State private var whatIWantToSay = ""
    @State private var howTheyMayAnswer = ""
    @State private var confidenceBefore = 5
    @State private var confidenceAfter = 5
    @State private var error: String?

    private var hasInput: Bool {
        personId != nil || ![scenario, whatIWantToSay, howTheyMayAnswer].allSatisfy(\.isEmpty)
    }

    var body: some View {
        NavigationStack {
            Form {
                Picker("With", selection: $personId) {
                    Text("Choose…").tag(String?.none)
                    ForEach(people, id: \.id) { Text($0.title).tag(Optional($0.id)) }
                }
                PrivateTextField("The conversation", text: $scenario)
                PrivateTextField("What I want to say", text: $whatIWantToSay)
                PrivateTextField("How they may answer", text: $howTheyMayAnswer)
                Section("Confidence, 0 to 10") {
                    Stepper("Before practice: \(confidenceBefore)", value: $confidenceBefore, in: 0...10)
                    Stepper("After practice: \(confidenceAfter)", value: $confidenceAfter, in: 0...10)
                }
            }
            .navigationTitle("Rehearse")
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("Cancel") { dismiss() } }
                ToolbarItem(placement: .confirmationAction) {
                    Button("Save") { Task { await save() } }
                        .disabled(personId == nil || scenario.trimmingCharacters(in: .whitespaces).isEmpty)
                }
            }
            .getHelpToolbar()
            .alert("Not saved", isPresented: .constant(error != nil)) {
                Button("OK") { error = nil }
            } message: { Text(error ?? "") }
            .task { people = (try? await store.list(ListQuery(kinds: [.person]))) ?? [] }
        }
        .interactiveDismissDisabled(hasInput)
    }

    private func save() async {
        guard let personId else { return }
        do {
            let now = Date()
            let saved = try await store.add(Rehearsal(
                personId: personId, scenario: scenario, whatIWantToSay: whatIWantToSay,
                howTheyMayAnswer: howTheyMayAnswer, confidenceBefore: Int32(confidenceBefore),
                confidenceAfter: Int32(confidenceAfter), practicedAt: now))
            await Reminders.followUp(rehearsalId: saved.meta.id, practicedAt: now)
            dismiss()
        } catch let e as StoreError {
            error = e.message
        } catch {
            self.error = error.localizedDescription
        }
    }
}
