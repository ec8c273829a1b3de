import SwiftUI
import RapportKit

/// Goals with their milestones, status, barriers and course corrections.
struct GoalsView: View {
    let store: RecordStore
    @State private var goals: [StoredGoal] = []
    @State private var newGoal = ""

    var body: some View {
        NavigationStack {
            List {
                Section {
                    HStack {
                        TextField("A new interpersonal goal", text: $newGoal)
                        Button("Add") {
                            try? store.add(Goal(title: newGoal, status: .active, setAt: Date()))
                            newGoal = ""
                        }
                        .disabled(newGoal.trimmingCharacters(in: .whitespaces).isEmpty)
                    }
                }
                ForEach(goals, id: \.meta.id) { goal in
                    NavigationLink(value: goal.meta.id) {
                        VStack(alignment: .leading) {
                            Text(goal.goal.title).font(.headline)
                            let done = goal.goal.milestones.filter { $0.completedAt != nil }.count
                            Text("\(done) of \(goal.goal.milestones.count) milestones · \(statusName(goal.goal.status))")
                                .font(.caption).foregroundStyle(.secondary)
                        }
                    }
                }
            }
            .navigationTitle("Goals")
            .navigationDestination(for: String.self) { GoalDetailView(store: store, goalId: $0) }
            .task {
                reload()
                for await _ in store.changes { reload() }
            }
        }
    }

    private func reload() {
        let ids = (try? store.list(ListQuery(kinds: [.goal])))?.map(\.id) ?? []
        goals = ids.compactMap { try? store.goal($0) }
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
    let goalId: String
    @State private var goal: StoredGoal?
    @State private var milestone = ""
    @State private var courseText = ""
    @State private var error: String?

    var body: some View {
        List {
            if let goal {
                Section("Milestones") {
                    ForEach(goal.goal.milestones, id: \.id) { m in
                        Button {
                            run {
                                m.completedAt == nil
                                    ? try store.completeMilestone(m.id, of: goalId)
                                    : try store.reopenMilestone(m.id, of: goalId)
                            }
                        } label: {
                            Label(m.title, systemImage: m.completedAt == nil ? "circle" : "checkmark.circle.fill")
                        }
                    }
                    .onMove { from, to in
                        var ids = goal.goal.milestones.map(\.id)
                        ids.move(fromOffsets: from, toOffset: to)
                        run { try store.reorderMilestones(of: goalId, ids) }
                    }
                    HStack {
                        TextField("New milestone", text: $milestone)
                        Button("Add") { run { try store.addMilestone(to: goalId, title: milestone) }; milestone = "" }
                    }
                }
                Section("Status") {
                    Picker("Status", selection: Binding(get: { goal.goal.status },
                                                        set: { s in run { try store.setStatus(s, of: goalId) } })) {
                        ForEach([GoalStatus.active, .achieved, .paused, .dropped], id: \.self) { Text(statusName($0)).tag($0) }
                    }
                }
                Section("Barriers and course corrections") {
                    ForEach(Array(goal.goal.courseLog.enumerated()), id: \.offset) { _, event in
                        Label(event.text, systemImage: event.kind == .barrier ? "exclamationmark.octagon" : "arrow.triangle.turn.up.right.diamond")
                    }
                    TextField("What got in the way, or how the plan changes", text: $courseText, axis: .vertical)
                    HStack {
                        Button("Log a barrier") { run { try store.logBarrier(courseText, on: goalId) }; courseText = "" }
                        Spacer()
                        Button("Log a course correction") { run { try store.logCourseCorrection(courseText, on: goalId) }; courseText = "" }
                    }
                    .buttonStyle(.borderless)
                    .disabled(courseText.isEmpty)
                }
            }
        }
        .navigationTitle(goal?.goal.title ?? "Goal")
        .toolbar { EditButton() }
        .alert("Not saved", isPresented: .constant(error != nil)) {
            Button("OK") { error = nil }
        } message: { Text(error ?? "") }
        .task { goal = try? store.goal(goalId) }
    }

    private func run(_ change: () throws -> StoredGoal) {
        do { goal = try change() } catch let e as StoreError { error = e.message } catch { self.error = "\(error)" }
    }
}
