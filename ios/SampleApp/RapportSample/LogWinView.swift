import SwiftUI
import RapportKit

/// Log a win, small or large, optionally linked to a goal; saving it is
/// celebrated.
struct LogWinView: View {
    let store: RecordStore
    @Environment(\.dismiss) private var dismiss
    @State private var title = ""
    @State private var details = ""
    @State private var goals: [Summary] = []
    @State private var goalId: String?
    @State private var celebrating = false
    @State private var error: String?

    var body: some View {
        NavigationStack {
            Form {
                TextField("What went well?", text: $title)
                TextField("Details", text: $details, axis: .vertical)
                Picker("Goal", selection: $goalId) {
                    Text("None").tag(String?.none)
                    ForEach(goals, id: \.id) { Text($0.title).tag(Optional($0.id)) }
                }
            }
            .navigationTitle("Log a win")
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("Cancel") { dismiss() } }
                ToolbarItem(placement: .confirmationAction) {
                    Button("Save", action: save).disabled(title.trimmingCharacters(in: .whitespaces).isEmpty)
                }
            }
            .overlay { if celebrating { Celebration(title: title) } }
            .alert("Not saved", isPresented: .constant(error != nil)) {
                Button("OK") { error = nil }
            } message: { Text(error ?? "") }
            .task { goals = (try? store.list(ListQuery(kinds: [.goal]))) ?? [] }
        }
    }

    private func save() {
        do {
            try store.add(Win(occurredAt: Date(), title: title, details: details,
                              goal: goalId.map { GoalLink(goalId: $0) }))
            withAnimation(.spring) { celebrating = true }
            Task {
                try? await Task.sleep(for: .seconds(1.6))
                dismiss()
            }
        } catch let e as StoreError {
            error = e.message
        } catch {
            self.error = error.localizedDescription
        }
    }
}

/// A short, warm celebration of a win.
struct Celebration: View {
    let title: String
    @State private var burst = false

    var body: some View {
        VStack(spacing: 12) {
            Image(systemName: "star.fill")
                .font(.system(size: 72))
                .foregroundStyle(.yellow)
                .scaleEffect(burst ? 1.2 : 0.4)
                .rotationEffect(.degrees(burst ? 360 : 0))
            Text("Well done!").font(.title.bold())
            Text(title).multilineTextAlignment(.center)
        }
        .padding(32)
        .background(.regularMaterial, in: RoundedRectangle(cornerRadius: 24))
        .sensoryFeedback(.success, trigger: burst)
        .onAppear { withAnimation(.spring(duration: 0.8)) { burst = true } }
        .accessibilityElement(children: .combine)
    }
}
