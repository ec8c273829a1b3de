import SwiftUI
import RapportKit

/// Log a win, small or large, optionally linked to a goal; saving it is
/// celebrated. A failed save keeps what was typed and says why; a swipe
/// cannot throw away what was typed.
struct LogWinView: View {
    let store: RecordStore
    @Environment(\.dismiss) private var dismiss
    @State private var title = ""
    @State private var details = ""
    @State private var goals: [Summary] = []
    @State private var goalId: String?
    @State private var celebrating = false
    @State private var error: String?

    private var hasInput: Bool { !title.isEmpty || !details.isEmpty || goalId != nil }

    var body: some View {
        NavigationStack {
            Form {
                PrivateTextField("What went well?", text: $title)
                PrivateTextField("Details", text: $details)
                Picker("Goal", selection: $goalId) {
                    Text("None").tag(String?.none)
                    ForEach(goals, id: \.id) { Text($0.title).tag(Optional($0.id)) }
                }
            }
            .navigationTitle("Log a win")
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("Cancel") { dismiss() } }
                ToolbarItem(placement: .confirmationAction) {
                    Button("Save") { Task { await save() } }
                        .disabled(title.trimmingCharacters(in: .whitespaces).isEmpty || celebrating)
                }
            }
            .getHelpToolbar()
            .overlay { if celebrating { Celebration(title: title) } }
            .alert("Not saved", isPresented: .constant(error != nil)) {
                Button("OK") { error = nil }
            } message: { Text(error ?? "") }
            .task { goals = (try? await store.list(ListQuery(kinds: [.goal]))) ?? [] }
        }
        .interactiveDismissDisabled(hasInput)
    }

    private func save() async {
        do {
            try await store.add(Win(occurredAt: Date(), title: title, details: details,
                                    goal: goalId.map { GoalLink(goalId: $0) }))
            celebrating = true
            try? await Task.sleep(for: .seconds(1.6))
            dismiss()
        } catch let e as StoreError {
            error = e.message
        } catch {
            self.error = error.localizedDescription
        }
    }
}

/// A short, warm celebration of a win. With Reduce Motion on, it appears
/// without the spin and the bounce.
struct Celebration: View {
    let title: String
    @Environment(\.accessibilityReduceMotion) private var reduceMotion
    @ScaledMetric(relativeTo: .largeTitle) private var starSize = 72
    @State private var burst = false

    var body: some View {
        VStack(spacing: 12) {
            Image(systemName: "star.fill")
                .font(.system(size: starSize))
                .foregroundStyle(.yellow)
                .scaleEffect(reduceMotion || burst ? 1 : 0.4)
                .rotationEffect(.degrees(!reduceMotion && burst ? 360 : 0))
                .accessibilityHidden(true)
            Text("Well done!").font(.title.bold())
            Text(title).multilineTextAlignment(.center)
        }
        .padding(32)
        .background(.regularMaterial, in: RoundedRectangle(cornerRadius: 24))
        .sensoryFeedback(.success, trigger: burst)
        .onAppear {
            if reduceMotion {
                burst = true
            } else {
                withAnimation(.spring(duration: 0.8)) { burst = true }
            }
        }
        .accessibilityElement(children: .combine)
        .accessibilityAddTraits(.updatesFrequently)
    }
}
