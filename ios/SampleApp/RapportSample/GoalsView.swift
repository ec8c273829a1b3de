import SwiftUI
import RapportKit

/// Goals with their milestones, status, barriers and course corrections.
struct GoalsView: View {
    let store: RecordStore
    @State private var goals: [StoredGoal] = []
    @State private var newGoal = ""
    @State private var error: String?

    var body: some View {
        NavigationStack {
            List {
                Section {
                    HStack {
                        PrivateTextField("A new interpersonal goal", text: $newGoal)
                        Button("Add") { Task { await addGoal() } }
                        .disabled(newGoal.trimmingCharacters(in: .whitespaces).isEmpty)
                    }
                }
                ForEach(goals, id: \.meta.id) { goal in
                    NavigationLink(value: goal.meta.id) {
                        VStack(alignment: .leading) {
                            Text(goal.goal.title).font(.headline)
                            Text("\(goal.goal.milestonesDone) of \(goal.goal.milestones.count) milestones · \(statusName(goal.goal.status))")
                                .font(.caption).foregroundStyle(.secondary)
                        }
                    }
                }
            }
            .navigationTitle("Goals")
            .getHelpToolbar()
            .navigationDestination(for: String.self) { GoalDetailView(store: store, goalId: $0) }
            .alert("Not saved", isPresented: .constant(error != nil)) {
                Button("OK") { error = nil }
            } message: { Text(error ?? "") }
            .task { await follow() }
        }
    }

    private func addGoal() async {
        do {
            try await store.add(Goal(title: newGoal, status: .active, setAt: Date()))
            newGoal = ""  // cleared only once saved
        } catch let e as StoreError {
            error = e.message
        } catch {
            self.error = error.localizedDescription
        }
    }

    /// The goals now and after every change to the record.
    private func follow() async {
        do {
            for try await rows in store.observe(ListQuery(kinds: [.goal])) {
                var loaded: [StoredGoal] = []
                for summary in rows { loaded.append(try await store.goal(summary.id)) }
                goals = loaded
            }
        } catch let e as StoreError {
            error = e.message
        } catch {
            self.error = error.localizedDescription
        }
    }
}

func statusName(_ status: GoalStatus) -> String {
    switch status {
    case .active: "active"
    case .achieved: "achieved"
    case .paused: "paused"
    case .dropped: "dropped"
    }
}

struct GoalDetailView: View {
    let store: RecordStore
    let goalId: ItemId
    @State private var goal: StoredGoal?
    @State private var milestone = ""
    @State private var courseText = ""
    @State private var error: String?

    var body: some View {
        List {
            if let goal {
                Section("Milestones") {
                    // The milestones are a map by id; their order is `position`.
                    ForEach(goal.goal.milestoneIdsInOrder, id: \.self) { id in
                        if let m = goal.goal.milestones[id] {
                            Button {
                                run {
                                    m.completedAt == nil
                                        ? try await store.completeMilestone(id, of: goalId)
                                        : try await store.reopenMilestone(id, of: goalId)
                                }
                            } label: {
                                Label(m.title, systemImage: m.completedAt == nil ? "circle" : "checkmark.circle.fill")
                            }
                            .accessibilityValue(m.completedAt == nil ? "not done" : "done")
                        }
                    }
                    .onMove { from, to in
                        var ids = goal.goal.milestoneIdsInOrder
                        ids.move(fromOffsets: from, toOffset: to)
                        run { try await store.reorderMilestones(of: goalId, ids) }
                    }
                    HStack {
                        PrivateTextField("New milestone", text: $milestone)
                        Button("Add") { run(clearing: $milestone) { try await store.addMilestone(to: goalId, title: milestone) } }
                    }
                }
                Section("Status") {
                    Picker("Status", selection: Binding(get: { goal.goal.status },
                                                        set: { s in run { try await store.setGoalStatus(s, of: goalId) } })) {
                        ForEach([GoalStatus.active, .achieved, .paused, .dropped], id: \.self) { Text(statusName($0)).tag($0) }
                    }
                }
                Section("Barriers and course corrections") {
                    ForEach(Array(goal.goal.courseLog.enumerated()), id: \.offset) { _, event in
                        Label(event.text, systemImage: event.kind == .barrier ? "exclamationmark.octagon" : "arrow.triangle.turn.up.right.diamond")
                    }
                    PrivateTextField("What got in the way, or how the plan changes", text: $courseText)
                    HStack {
                        Button("Log a barrier") { run(clearing: $courseText) { try await store.logBarrier(courseText, on: goalId) } }
                        Spacer()
                        Button("Log a course correction") {
                            run(clearing: $courseText) { try await store.logCourseCorrection(courseText, on: goalId) }
                        }
                    }
                    .buttonStyle(.borderless)
                    .disabled(courseText.isEmpty)
                }
            }
        }
        .navigationTitle(goal?.goal.title ?? "Goal")
        .toolbar { EditButton() }
        .getHelpToolbar()
        .alert("Not saved", isPresented: .constant(error != nil)) {
            Button("OK") { error = nil }
        } message: { Text(error ?? "") }
        .task { run { try await store.goal(goalId) } }
    }

    /// Runs a change; on success shows the goal as saved and clears `text`,
    /// on failure keeps `text` and says why.
    private func run(clearing text: Binding<String>? = nil, _ change: @escaping () async throws -> StoredGoal) {
        Task {
            do {
                goal = try await change()
                text?.wrappedValue = ""
            } catch let e as StoreError {
                error = e.message
            } catch {
                self.error = error.localizedDescription
            }
        }
    }
}
