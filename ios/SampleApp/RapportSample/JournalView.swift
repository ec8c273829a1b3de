import SwiftUI
import RapportKit

/// The journal: every entry, newest first, with search; log an interaction
/// or a win from the toolbar. Follows the record (`store.observe`: local
/// writes and what sync brought).
struct JournalView: View {
    let store: RecordStore
    @State private var entries: [Summary] = []
    @State private var query = ""
    @State private var sheet: Sheet?
    @State private var error: String?

    enum Sheet: String, Identifiable {
        case interaction, win, rehearsal
        var id: String { rawValue }
    }

    var body: some View {
        NavigationStack {
            List(entries, id: \.id) { entry in
                // One VoiceOver element per entry: title, kind, date, shared.
                VStack(alignment: .leading) {
                    Text(entry.title).font(.headline)
                    HStack {
                        Text(label(entry.kind))
                        if let at = entry.at { Text(at, style: .date) }
                        if entry.shared { Image(systemName: "person.2").accessibilityLabel("Shared") }
                    }
                    .font(.caption).foregroundStyle(.secondary)
                }
                .accessibilityElement(children: .combine)
            }
            .overlay { if entries.isEmpty { ContentUnavailableView("Nothing logged yet", systemImage: "book") } }
            .searchable(text: $query, prompt: "Search the journal")
            .navigationTitle("Journal")
            .toolbar {
                Menu {
                    Button("Log an interaction") { sheet = .interaction }
                    Button("Log a win") { sheet = .win }
                    Button("Rehearse a conversation") { sheet = .rehearsal }
                } label: { Image(systemName: "plus").accessibilityLabel("Log an entry") }
            }
            .getHelpToolbar()
            .sheet(item: $sheet) { sheet in
                switch sheet {
                case .interaction: LogInteractionView(store: store)
                case .win: LogWinView(store: store)
                case .rehearsal: LogRehearsalView(store: store)
                }
            }
            .alert("Something went wrong", isPresented: .constant(error != nil)) {
                Button("OK") { error = nil }
            } message: { Text(error ?? "") }
            // A new query ends the last one's task, and with it its stream.
            .task(id: query) { await follow() }
        }
    }

    /// The entries now and after every change: the journal's rows, or the
    /// search's hits read again.
    private func follow() async {
        do {
            if query.isEmpty {
                let journal = ListQuery(kinds: [.interaction, .win, .reflection, .rehearsal, .note])
                for try await rows in store.observe(journal) {
                    entries = rows.sorted { ($0.at ?? .distantPast) > ($1.at ?? .distantPast) }
                }
            } else {
                entries = try await store.search(query)
                for await _ in store.changes { entries = try await store.search(query) }
            }
        } catch let e as StoreError {
            error = e.message
        } catch {
            self.error = error.localizedDescription
        }
    }

    private func label(_ kind: DocKind) -> String {
        switch kind {
        case .interaction: "Interaction"
        case .win: "Win"
        case .reflection: "Reflection"
        case .rehearsal: "Rehearsal"
        case .note: "Therapist's note"
        default: "Entry"
        }
    }
}
