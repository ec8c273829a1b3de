import SwiftUI
import RapportKit

/// "Get help now": a toolbar button on every screen (and on the lock
/// screen), one tap from the crisis resources. They come from the record on
/// the device, so this works with no network.
struct GetHelpButton: View {
    @State private var showing = false

    var body: some View {
        Button {
            showing = true
        } label: {
            Label("Get help now", systemImage: "phone.arrow.up.right")
                .labelStyle(.titleAndIcon)
        }
        .tint(.red)
        .accessibilityHint("Shows crisis lines you can call or text now")
        .sheet(isPresented: $showing) { CrisisResourcesView(alert: nil) }
    }
}

extension View {
    /// Puts "Get help now" in this navigation stack's toolbar.
    func getHelpToolbar() -> some View {
        toolbar {
            ToolbarItem(placement: .topBarLeading) { GetHelpButton() }
        }
    }
}

extension SafetyAlert: @retroactive Identifiable {
    public var id: String { message }
}

/// Places to turn to now: the client's or therapist's own resources first,
/// then the defaults for the device's region (never empty). Each opens the
/// `uri` (tel:, sms:, https:) of its structured contact, as the core checked
/// and normalised it; no number is ever taken out of a sentence. The message
/// says plainly that Rapport is not monitored in real time.
struct CrisisResourcesView: View {
    /// The alert of a check-in (PHQ-9 item 9, "I'm in crisis"), or nil when
    /// opened from "Get help now".
    let alert: SafetyAlert?
    @Environment(AppModel.self) private var model
    @Environment(\.dismiss) private var dismiss
    @Environment(\.openURL) private var openURL
    @State private var resources: [CrisisResource] = []

    var body: some View {
        NavigationStack {
            List {
                Section {
                    Text(alert?.message ?? "If you are in danger or thinking of harming yourself, reach someone now. "
                        + "Rapport is not monitored in real time: your therapist sees check-ins at your next session.")
                }
                Section("Reach someone now") {
                    ForEach(Array(resources.enumerated()), id: \.offset) { _, resource in
                        CrisisResourceRow(resource: resource) { url in openURL(url) }
                    }
                }
            }
            .navigationTitle("You are not alone")
            .toolbar { Button("Close") { dismiss() } }
            .task { resources = await model.crisisResources(alert: alert) }
        }
        .interactiveDismissDisabled()
    }
}

struct CrisisResourceRow: View {
    let resource: CrisisResource
    let open: (URL) -> Void

    var body: some View {
        // Only the structured contact's uri is ever opened; an Instruction has none.
        if let uri = resource.uri(), let url = URL(string: uri) {
            Button { open(url) } label: { details(action: action) }
                .accessibilityLabel("\(action) \(resource.name)")
                .accessibilityHint(resource.hours)
        } else {
            details(action: nil).accessibilityElement(children: .combine)
        }
    }

    private var action: String {
        switch resource.contact {
        case .phone: "Call"
        case .text: "Text"
        case .web: "Open"
        case .instruction: ""
        }
    }

    private func details(action: String?) -> some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(resource.name).font(.headline)
            switch resource.contact {
            case .phone(let number): Text("\(action ?? "") \(number)")
            case .text(let number): Text("\(action ?? "") \(number)")
            case .web(let url): Text(url)
            case .instruction: EmptyView()
            }
            if !resource.hours.isEmpty { Text(resource.hours).font(.caption).foregroundStyle(.secondary) }
        }
    }
}
