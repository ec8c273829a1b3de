import SwiftUI
import RapportKit

/// The interpersonal inventory: the important people, by closeness ring,
/// with the stage of a role dispute where there is one.
struct InventoryView: View {
    let store: RecordStore
    @State private var people: [StoredPerson] = []
    @State private var adding = false

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
                            .contextMenu {
                                ForEach([DisputeStage.renegotiation, .impasse, .dissolution], id: \.self) { stage in
                                    Button("Dispute: \(stageName(stage))") {
                                        _ = try? store.setDisputeStage(stage, with: p.meta.id)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            .navigationTitle("People")
            .toolbar { Button { adding = true } label: { Image(systemName: "person.badge.plus") } }
            .sheet(isPresented: $adding) { AddPersonView(store: store) }
            .task {
                reload()
                for await _ in store.changes { reload() }
            }
        }
    }

    private func reload() {
        let ids = (try? store.list(ListQuery(kinds: [.person])))?.map(\.id) ?? []
        people = ids.compactMap { try? store.person($0) }
            .sorted { $0.person.nickname < $1.person.nickname }
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

    var body: some View {
        NavigationStack {
            Form {
                TextField("Nickname or initials", text: $nickname)
                TextField("Relationship (e.g. partner, manager)", text: $relationship)
                Picker("Closeness", selection: $ring) {
                    ForEach([Ring.inner, .middle, .outer], id: \.self) { Text(ringName($0)).tag($0) }
                }
                TextField("What the relationship gives me", text: $gives, axis: .vertical)
                TextField("What goes wrong", text: $goesWrong, axis: .vertical)
                TextField("What I expect of them", text: $myExpectations, axis: .vertical)
                TextField("What they expect of me", text: $theirExpectations, axis: .vertical)
            }
            .navigationTitle("Add a person")
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("Cancel") { dismiss() } }
                ToolbarItem(placement: .confirmationAction) {
                    Button("Save") {
                        _ = try? store.add(Person(nickname: nickname, relationship: relationship, ring: ring, gives: gives,
                                                  goesWrong: goesWrong, myExpectations: myExpectations,
                                                  theirExpectations: theirExpectations))
                        dismiss()
                    }
                    .disabled(nickname.trimmingCharacters(in: .whitespaces).isEmpty)
                }
            }
        }
    }
}
