import SwiftUI
import RapportKit

/// Log an interaction: who, when, how; what I wanted and what they wanted;
/// what was said; mood before and after (0 worst, 10 best); the outcome;
/// options for next time and a skill used. A failed save keeps everything
/// and says why; a swipe cannot throw it away.
struct LogInteractionView: View {
    let store: RecordStore
    @Environment(\.dismiss) private var dismiss
    @State private var people: [Summary] = []
    @State private var personId: String?
    @State private var occurredAt = Date()
    @State private var channel: Channel = .inPerson
    @State private var initiatedBy: Initiator = .me
    @State private var whatIWanted = ""
    @State private var whatTheyWanted = ""
    @State private var whatISaid = ""
    @State private var whatTheySaid = ""
    @State private var moodBefore = 5.0
    @State private var moodAfter = 5.0
    @State private var got: GotWhatIWanted?
    @State private var relationship: RelationshipChange?
    @State private var nextOption = ""
    @State private var skill = ""
    @State private var error: String?

    var body: some View {
        NavigationStack {
            Form {
                Section("Who and when") {
                    Picker("Person", selection: $personId) {
                        Text("Choose…").tag(String?.none)
                        ForEach(people, id: \.id) { Text($0.title).tag(Optional($0.id)) }
                    }
                    DatePicker("When", selection: $occurredAt)
                    Picker("How", selection: $channel) {
                        Text("In person").tag(Channel.inPerson)
                        Text("Phone").tag(Channel.phone)
                        Text("Text").tag(Channel.text)
                        Text("Online").tag(Channel.online)
                    }
                    Picker("Who started it", selection: $initiatedBy) {
                        Text("Me").tag(Initiator.me)
                        Text("Them").tag(Initiator.them)
                    }
                }
                Section("What each of us wanted") {
                    PrivateTextField("What I wanted", text: $whatIWanted)
                    PrivateTextField("What I think they wanted", text: $whatTheyWanted)
                }
                Section("What was said") {
                    PrivateTextField("What I said", text: $whatISaid)
                    PrivateTextField("What they said", text: $whatTheySaid)
                }
                Section("Mood (0 worst, 10 best)") {
                    Stepper("Before: \(Int(moodBefore))", value: $moodBefore, in: 0...10)
                    Stepper("After: \(Int(moodAfter))", value: $moodAfter, in: 0...10)
                }
                Section("Outcome") {
                    Picker("Did I get what I wanted?", selection: $got) {
                        Text("Not sure").tag(GotWhatIWanted?.none)
                        Text("Yes").tag(Optional(GotWhatIWanted.yes))
                        Text("Partly").tag(Optional(GotWhatIWanted.partly))
                        Text("No").tag(Optional(GotWhatIWanted.no))
                    }
                    Picker("The relationship is", selection: $relationship) {
                        Text("Not sure").tag(RelationshipChange?.none)
                        Text("Better").tag(Optional(RelationshipChange.better))
                        Text("The same").tag(Optional(RelationshipChange.same))
                        Text("Worse").tag(Optional(RelationshipChange.worse))
                    }
                    PrivateTextField("Something I could try next", text: $nextOption)
                    PrivateTextField("A skill I used (e.g. \"I\" statements)", text: $skill)
                }
            }
            .navigationTitle("Log an interaction")
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("Cancel") { dismiss() } }
                ToolbarItem(placement: .confirmationAction) {
                    Button("Save") { Task { await save() } }.disabled(personId == nil)
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

    private var hasInput: Bool {
        personId != nil || ![whatIWanted, whatTheyWanted, whatISaid, whatTheySaid, nextOption, skill].allSatisfy(\.isEmpty)
    }

    private func save() async {
        guard let personId else { return }
        do {
            try await store.add(Interaction(
                personId: personId, occurredAt: occurredAt, channel: channel, initiatedBy: initiatedBy,
                whatIWanted: whatIWanted, whatTheyWanted: whatTheyWanted, whatISaid: whatISaid,
                whatTheySaid: whatTheySaid, moodBefore: Int32(moodBefore), moodAfter: Int32(moodAfter),
                gotWhatIWanted: got, relationship: relationship,
                options: nextOption.isEmpty ? [] : [nextOption],
                chosenOption: nextOption.isEmpty ? nil : nextOption,
                skillsUsed: skill.isEmpty ? [] : [skill]))
            dismiss()
        } catch let e as StoreError {
            error = e.message
        } catch {
            self.error = error.localizedDescription
        }
    }
}
