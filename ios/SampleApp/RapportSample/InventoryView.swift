import SwiftUI
import RapportKit

/// The interpersonal inventory: the important people, by closeness ring,
/// with the stage of a role dispute where there is one.
struct InventoryView: View {
    let store: RecordStore
    @State private var people: [StoredPerson] = []
    @State private var adding = false
    @State private var error: String?

    var body: some View {
        NavigationStack {
            List {
                ForEach([Ring.inner, .middle, .outer], id: \.self) { ring in
                    Section(ringName(ring)) {
                        ForEach(people.filter { $0.person.ring == ring }, id: \.meta.id) { p in
                            VStack(alignment: .leading) {
                                Text(p.person.nickname).font(.headline)
                                Text(p.person.relationship).font(.caption)
                                if let stage = p.disputeStage {
                                    Text("Role dispute: \(stageName(stage))").font(.caption).foregroundStyle(.orange)
                                }
                            }
                            .accessibilityElement(children: .combine)
                            .contextMenu {
                                ForEach([DisputeStage.renegotiation, .impasse, .dissolution], id: \.self) { stage in
                                    Button("Dispute: \(stageName(stage))") { Task { await setStage(stage, p.meta.id) } }
                                }
                            }
                            // VoiceOver users reach the stages without the long press.
                            .accessibilityActions {
                                ForEach([DisputeStage.renegotiation, .impasse, .dissolution], id: \.self) { stage in
                                    Button("Role dispute: \(stageName(stage))") { Task { await setStage(stage, p.meta.id) } }
                                }
                            }
                        }
                    }
                }
            }
            .navigationTitle("People")
            .toolbar {
                Button { adding = true } label: {
                    Image(systemName: "person.badge.plus").accessibilityLabel("Add a person")
                }
            }
            .getHelpToolbar()
            .sheet(isPresented: $adding) { AddPersonView(store: store) }
            .alert("Something went wrong", isPresented: .constant(error != nil)) {
                Button("OK") { error = nil }
            } message: { Text(error ?? "") }
            .task { await follow() }
        }
    }

    private func setStage(_ stage: DisputeStage, _ personId: ItemId) async {
        do { try await store.setDisputeStage(stage, with: personId) } catch { show(error) }
    }

    /// The people now and after every change to the record.
    private func follow() async {
        do {
            for try await rows in store.observe(ListQuery(kinds: [.person], limit: 500)) {
                var loaded: [StoredPerson] = []
                for summary in rows { loaded.append(try await store.person(summary.id)) }
                people = loaded.sorted { $0.person.nickname < $1.person.nickname }
            }
        } catch {
            show(error)
        }
    }

    private func show(_ error: Error) {
        self.error = (error as? StoreError)?.message ?? error.localizedDescription
    }
}

func ringName(_ ring: Ring) -> String {
    switch ring {
    case .inner: "Inner circle"
    case .middle: "Middle circle"
    case .outer: "Outer circle"
    }
}

func stageName(_ stage: DisputeStage) -> String {
    switch stage {
    case .renegotiation: "renegotiation"
    case .impasse: "impasse"
    case .dissolution: "dissolution"
    }
}

struct AddPersonView: View {
    let store: RecordStore
    @Environment(\.dismiss) private var dismiss
    @State private var nickname = ""
    @State private var relationship = ""
    @State private var ring: Ring = .inner
    @State private var gives = ""
    @State private var goesWrong = ""
    @State private var myExpectations = ""
    @State private var theirExpectations = ""
    @State private var error: String?

    private var hasInput: Bool {
        ![nickname, relationship, gives, goesWrong, myExpectations, theirExpectations].allSatisfy(\.isEmpty)
    }

    var body: some View {
        NavigationStack {
            Form {
                PrivateTextField("Nickname or initials", text: $nickname)
                PrivateTextField("Relationship (e.g. partner, manager)", text: $relationship)
                Picker("Closeness", selection: $ring) {
                    ForEach([Ring.inner, .middle, .outer], id: \.self) { Text(ringName($0)).tag($0) }
                }
                PrivateTextField("What the relationship gives me", text: $gives)
                PrivateTextField("What goes wrong", text: $goesWrong)
                PrivateTextField("What I expect of them", text: $myExpectations)
                PrivateTextField("What they expect of me", text: $theirExpectations)
            }
            .navigationTitle("Add a person")
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("Cancel") { dismiss() } }
                ToolbarItem(placement: .confirmationAction) {
                    Button("Save") { Task { await save() } }
                        .disabled(nickname.trimmingCharacters(in: .whitespaces).isEmpty)
                }
            }
            .alert("Not saved", isPresented: .constant(error != nil)) {
                Button("OK") { error = nil }
            } message: { Text(error ?? "") }
        }
        .interactiveDismissDisabled(hasInput)
    }

    /// Closes only once saved; a failure keeps what was typed and says why.
    private func save() async {
        do {
            try await store.add(Person(nickname: nickname, relationship: relationship, ring: ring, gives: gives,
                                       goesWrong: goesWrong, myExpectations: myExpectations,
                                       theirExpectations: theirExpectations))
            dismiss()
        } catch let e as StoreError {
            error = e.message
        } catch {
            self.error = error.localizedDescription
        }
    }
}
