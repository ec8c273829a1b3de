import SwiftUI
import RapportKit

/// Sharing with the therapist (per kind), the sync status, connecting to the
/// user's own sync server (with the recovery kit on a new phone), who read my
/// data (the access log), the account key (AccountKeyView.swift: the kit,
/// add a device, safety numbers), export, and deleting everything.
struct SettingsView: View {
    let store: RecordStore
    @Environment(AppModel.self) private var model
    @State private var serverURL = "https://"
    @State private var email = ""
    @State private var password = ""
    @State private var recoveryKit = ""
    @State private var links: [CareLink] = []
    @State private var grants: [Grant] = []
    @State private var invite: Invite?
    @State private var error: String?
    @State private var accessLog: [AccessLogEntry] = []
    @State private var exported: ExportFile?
    @State private var confirmingDelete = false

    private static let shareable: [(DocKind, String)] = [
        (.interaction, "Interactions"), (.win, "Wins"), (.goal, "Goals"), (.person, "People"),
        (.moodCheckIn, "Mood check-ins"), (.phq9CheckIn, "PHQ-9 check-ins"), (.rehearsal, "Rehearsals"),
        (.reflection, "Reflections"), (.profile, "Profile"),
    ]

    var body: some View {
        NavigationStack {
            Form {
                Section("Sync") {
                    SyncStatusRow(status: model.status)
                    if model.sync != nil {
                        Button("Sync now") { Task { await model.syncNow() } }
                    }
                    if let message = model.syncError { Text(message).foregroundStyle(.red) }
                }
                if model.sync != nil, model.needsAccountKey {
                    KeyNeededSection()
                } else if let sync = model.sync {
                    Section("Therapist") {
                        ForEach(links, id: \.linkId) { link in
                            Text("Linked with \(link.therapistName)")
                        }
                        if links.isEmpty {
                            if let invite {
                                Text("Give your therapist this code: \(invite.code)").textSelection(.enabled)
                                Text("Valid until \(invite.expiresAt.formatted())").font(.caption)
                            } else {
                                Button("Invite my therapist") {
                                    Task { await perform { invite = try await sync.createInvite() } }
                                }
                            }
                        }
                    }
                    Section("Who read my data") {
                        if accessLog.isEmpty {
                            Text("No one has read your shared items yet.").foregroundStyle(.secondary)
                        }
                        ForEach(Array(accessLog.enumerated()), id: \.offset) { _, entry in
                            VStack(alignment: .leading) {
                                Text("\(entry.readerName) read a \(kindName(entry.kind))")
                                Text(entry.readAt.formatted()).font(.caption).foregroundStyle(.secondary)
                            }
                            .accessibilityElement(children: .combine)
                        }
                        Button("Refresh") { Task { await refresh() } }
                    }
                    if let therapist = links.first?.therapist {
                        Section("Share with \(links.first?.therapistName ?? "my therapist")") {
                            ForEach(Self.shareable, id: \.0) { kind, name in
                                Toggle(name, isOn: Binding(
                                    get: { grant(for: kind) != nil },
                                    set: { on in Task { await setShared(kind, on, with: therapist, sync: sync) } }))
                            }
                            Text("Your therapist sees what you share at your next session; Rapport is not monitored in real time.")
                                .font(.caption).foregroundStyle(.secondary)
                        }
                    }
                } else {
                    Section("Connect to your sync server") {
                        TextField("Server address", text: $serverURL)
                            .textInputAutocapitalization(.never).autocorrectionDisabled().keyboardType(.URL)
                        TextField("Email", text: $email)
                            .textInputAutocapitalization(.never).autocorrectionDisabled().keyboardType(.emailAddress)
                        SecureField("Password", text: $password)
                        TextField("Recovery kit (to sign in on a new phone)", text: $recoveryKit)
                            .textInputAutocapitalization(.characters).autocorrectionDisabled()
                        Text("Or leave it empty and add this phone from your other one after signing in.")
                            .font(.caption).foregroundStyle(.secondary)
                        Button("Sign in") { Task { await connect(signUp: false) } }
                        Button("Create an account") { Task { await connect(signUp: true) } }
                    }
                }
                if let sync = model.sync, !model.needsAccountKey {
                    AccountKeySections(sync: sync, links: links)
                }
                Section("Your data") {
                    Button("Export everything (JSON)") { Task { await export(markdown: false) } }
                    Button("Export a readable copy (Markdown)") { Task { await export(markdown: true) } }
                    Button("Delete everything", role: .destructive) { confirmingDelete = true }
                }
                if let error { Section { Text(error).foregroundStyle(.red) } }
            }
            .navigationTitle("Privacy and sharing")
            .getHelpToolbar()
            .task(id: model.sync != nil) { await refresh() }
            .sheet(isPresented: Binding(get: { model.newRecoveryKit != nil }, set: { if !$0 { model.newRecoveryKit = nil } })) {
                if let kit = model.newRecoveryKit { NewRecoveryKitSheet(kit: kit) { model.newRecoveryKit = nil } }
            }
            .sheet(item: $exported) { file in ShareLink(item: file.url) { Label("Share the export", systemImage: "square.and.arrow.up") } }
            .confirmationDialog("Delete everything?", isPresented: $confirmingDelete, titleVisibility: .visible) {
                Button("Delete everything, here and on the server", role: .destructive) { Task { await deleteEverything() } }
            } message: {
                Text(model.sync == nil
                    ? "Every entry on this phone is deleted for good."
                    : "Every entry is deleted on this phone, on the server, and on your therapist's and your other devices at their next sync. Offline, nothing is deleted.")
            }
        }
    }

    /// The export is written to a temporary file with complete file
    /// protection and handed to the share sheet; it is not encrypted (say so).
    private func export(markdown: Bool) async {
        do {
            let text = markdown ? try await store.exportMarkdown() : try await store.exportJson()
            let url = FileManager.default.temporaryDirectory
                .appendingPathComponent(markdown ? "rapport-export.md" : "rapport-export.json")
            try Data(text.utf8).write(to: url, options: [.atomic, .completeFileProtection])
            exported = ExportFile(url: url)
            error = nil
        } catch let e as StoreError {
            error = e.message
        } catch {
            self.error = error.localizedDescription
        }
    }

    private func deleteEverything() async {
        do {
            if let sync = model.sync {
                try await sync.deleteEverything()  // server, here, and the kept session
                model.forgetSync()
            } else {
                try await store.deleteEverything()
            }
            error = nil
        } catch let e as SyncError {
            error = e.message  // offline: nothing was deleted anywhere
        } catch let e as StoreError {
            error = e.message
        } catch {
            self.error = error.localizedDescription
        }
    }

    private func grant(for kind: DocKind) -> Grant? {
        grants.first { if case .kind(kind, nil) = $0.scope { true } else { false } }
    }

    private func setShared(_ kind: DocKind, _ on: Bool, with therapist: AccountId, sync: SyncSession) async {
        await perform {
            if on {
                try await sync.shareKind(kind, with: therapist)
            } else if let grant = grant(for: kind) {
                try await sync.revokeGrant(grant.grantId)
            }
            grants = try await sync.grants()
        }
    }

    private func connect(signUp: Bool) async {
        guard let url = URL(string: serverURL) else { error = "That is not a server address."; return }
        await model.connect(
            serverURL: url, email: email, password: password, signUp: signUp, recoveryKit: signUp ? "" : recoveryKit)
        if model.sync != nil {
            password = ""
            recoveryKit = ""
        }
    }

    private func refresh() async {
        guard let sync = model.sync else { return }
        await perform {
            links = try await sync.links()
            grants = try await sync.grants()
            accessLog = try await sync.accessLog()
        }
    }

    private func perform(_ work: () async throws -> Void) async {
        error = await failure(of: work)
    }
}

/// Runs `work`; nil when it succeeded, else the sentence to show (the Rust
/// message of a `SyncError`).
@MainActor
func failure(of work: () async throws -> Void) async -> String? {
    do {
        try await work()
        return nil
    } catch let error as SyncError {
        return error.message
    } catch {
        return error.localizedDescription
    }
}

/// Idle, syncing with progress, offline, or an error with its reason; and
/// when the last sync completed.
struct SyncStatusRow: View {
    let status: SyncStatus?

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            switch status?.state {
            case nil: Label("Not connected: everything stays on this device", systemImage: "iphone")
            case .idle: Label("Up to date", systemImage: "checkmark.icloud")
            case .syncing(let pushed, let pulled):
                Label("Syncing… \(pushed) sent, \(pulled) received", systemImage: "arrow.triangle.2.circlepath.icloud")
            case .offline(let reason): Label("Offline: changes are kept and sync later (\(reason))", systemImage: "icloud.slash")
            case .error(let reason): Label(reason, systemImage: "exclamationmark.icloud").foregroundStyle(.red)
            }
            if let last = status?.lastSyncedAt {
                Text("Last synced \(last.formatted(.relative(presentation: .named)))").font(.caption).foregroundStyle(.secondary)
            }
        }
    }
}

struct ExportFile: Identifiable {
    let url: URL
    var id: URL { url }
}

func kindName(_ kind: DocKind) -> String {
    switch kind {
    case .interaction: "interaction"
    case .win: "win"
    case .reflection: "reflection"
    case .goal: "goal"
    case .person: "person"
    case .moodCheckIn: "mood check-in"
    case .phq9CheckIn: "PHQ-9"
    case .rehearsal: "rehearsal"
    case .profile: "profile"
    case .note: "note"
    }
}
