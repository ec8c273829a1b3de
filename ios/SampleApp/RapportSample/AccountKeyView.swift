// The account key on screen, as on Android: the recovery kit shown once after
// sign-up and again under Privacy (after asking the app lock again), a phone
// without the key asking for the kit or pairing, "add a device" on a phone
// that has it, and the safety number per linked therapist. Pairing shows the
// offer and the sealed key as QR codes and as text (copy and paste works
// between one person's Apple devices through Universal Clipboard); this
// sample does not scan codes itself.
import CoreImage.CIFilterBuiltins
import RapportKit
import SwiftUI
import UIKit

private let writeItDown =
    "Write this down and keep it somewhere safe: without it and without this phone, nothing can be recovered."

/// After sign-up, once: the new account's recovery kit.
struct NewRecoveryKitSheet: View {
    let kit: String
    let done: () -> Void

    var body: some View {
        NavigationStack {
            Form {
                Section {
                    Text(writeItDown)
                    KitText(kit)
                    Text("Your therapist cannot recover it for you, and neither can the server.")
                        .font(.caption).foregroundStyle(.secondary)
                }
                Button("I wrote it down", action: done)
            }
            .navigationTitle("Your recovery kit")
        }
        .interactiveDismissDisabled()
    }
}

private struct KitText: View {
    let text: String
    init(_ text: String) { self.text = text }

    var body: some View {
        Text(text).font(.body.monospaced()).textSelection(.enabled)
    }
}

/// Signed in, but this phone has no account key: the kit, or pairing.
struct KeyNeededSection: View {
    @Environment(AppModel.self) private var model
    @State private var kit = ""
    @State private var error: String?

    var body: some View {
        Section("This phone needs your account key") {
            Text("It cannot read your synced entries until it has your account key.")
            TextField("Recovery kit", text: $kit)
                .textInputAutocapitalization(.characters).autocorrectionDisabled()
            Button("Use this recovery kit") { Task { await attempt { try await model.useRecoveryKit(kit) } } }
            if let error { Text(error).foregroundStyle(.red) }
        }
        ReceivePairingSection()
        PassphraseSection(
            title: "Or restore your passphrase backup", action: "Restore the backup",
            note: "If you made a backup on the server, its passphrase opens it on this phone."
        ) { passphrase in try await model.restoreAccountKey(passphrase: passphrase); return nil }
    }

    private func attempt(_ work: () async throws -> Void) async {
        error = await failure(of: work)
    }
}

/// The new phone's side: show the offer, take the other phone's answer, compare the codes.
private struct ReceivePairingSection: View {
    @Environment(AppModel.self) private var model
    @State private var offer: PairingOffer?
    @State private var sealed = ""
    @State private var code: String?
    @State private var error: String?

    var body: some View {
        Section("Or add this phone from your other one") {
            if let offer {
                if let code {
                    Text("Does your other phone show the same number?")
                    Text(code).font(.largeTitle.monospacedDigit()).accessibilityLabel(code.map(String.init).joined(separator: " "))
                    Button("Yes, the same") {
                        self.offer = nil
                        self.code = nil
                        Task { await model.syncNow() }
                    }
                    Button("No, it differs", role: .destructive) { Task { await model.rejectPairing() } }
                } else {
                    Text("1. On your other phone, open Privacy › Add a device and scan this code, or paste the text under it.")
                    QRCodeImage(text: offer.offer, label: "Pairing code for your other phone")
                    KitText(offer.offer)
                    Button("Copy the text") { UIPasteboard.general.string = offer.offer }
                    Text("2. Then paste what your other phone shows.")
                    TextField("From your other phone", text: $sealed, axis: .vertical)
                        .textInputAutocapitalization(.never).autocorrectionDisabled()
                    Button("Continue") {
                        Task { error = await failure { code = try await model.acceptPairing(offer, sealedText: sealed) } }
                    }
                    .disabled(sealed.isEmpty)
                }
            } else {
                Button("Add this phone from another one") {
                    Task { error = await failure { offer = try await PairingOffer() } }
                }
            }
            if let error { Text(error).foregroundStyle(.red) }
        }
    }
}

/// Under Privacy: the recovery kit again (after the app lock asks again),
/// add a device, and the safety number per linked therapist.
struct AccountKeySections: View {
    let sync: SyncSession
    let links: [CareLink]
    @Environment(AppLock.self) private var lock
    @State private var kit: String?
    @State private var offer = ""
    @State private var answer: (sealed: String, code: String)?
    @State private var numbers: [String: String] = [:]
    @State private var error: String?
    @State private var devices: [Device]?
    @State private var cutOff: String?
    @Environment(AppModel.self) private var model

    var body: some View {
        Section("Your recovery kit") {
            if let kit {
                Text(writeItDown)
                KitText(kit)
                Button("Hide it") { self.kit = nil }
            } else {
                Button("Show my recovery kit") {
                    Task {
                        // Asked again even while unlocked: the kit opens everything.
                        guard await lock.confirm("Show your recovery kit") else { return }
                        await attempt { kit = try await sync.recoveryKit() }
                    }
                }
            }
        }
        Section("Add a device") {
            if let answer {
                Text("Scan this with the new phone, or paste the text under it there.")
                QRCodeImage(text: answer.sealed, label: "Your account key, sealed for the new phone")
                Text(answer.sealed).font(.caption.monospaced()).textSelection(.enabled)
                Button("Copy the text") { UIPasteboard.general.string = answer.sealed }
                Text("The new phone must then show this number; if it shows another, choose \"No, it differs\" there.")
                Text(answer.code).font(.largeTitle.monospacedDigit())
                    .accessibilityLabel(answer.code.map(String.init).joined(separator: " "))
                Button("Done") {
                    self.answer = nil
                    offer = ""
                }
            } else {
                Text("On the new phone, sign in and choose \"Add this phone from another one\", then paste its text here.")
                TextField("The new phone's code", text: $offer, axis: .vertical)
                    .textInputAutocapitalization(.characters).autocorrectionDisabled()
                Button("Continue") { Task { await attempt { answer = try await model.sealForPairing(offer: offer) } } }
                    .disabled(offer.isEmpty)
            }
        }
        if !links.isEmpty {
            Section {
                ForEach(links, id: \.linkId) { link in
                    LabeledContent(link.therapistName, value: numbers[link.therapist] ?? "…")
                        .font(.body.monospacedDigit())
                }
            } header: {
                Text("Safety numbers")
            } footer: {
                Text("Compare this number with your therapist's in session. If they differ, someone may be reading in between: share nothing more until you have talked.")
            }
            .task(id: links.map(\.linkId)) {
                for link in links {
                    await attempt { numbers[link.therapist] = try await sync.safetyNumber(with: link.therapist) }
                }
            }
        }
        PassphraseSection(
            title: "Passphrase backup on the server", action: "Back up my account key",
            note: "Optional: your account key, sealed on this phone under a passphrase only you know. With it, a new phone can read your record even if this one is lost."
        ) { passphrase in
            try await sync.backUpAccountKey(passphrase: passphrase)
            return "Backed up. Keep the passphrase somewhere safe: it cannot be reset."
        }
        Section {
            if let devices {
                ForEach(devices.filter { !$0.current }, id: \.deviceId) { device in
                    Button("Cut off \(device.name)", role: .destructive) {
                        Task {
                            // It changes the recovery kit: asked again even while unlocked.
                            guard await lock.confirm("Cut off \(device.name)") else { return }
                            await attempt {
                                try await sync.revokeDevice(device.deviceId)
                                // The vault keeps the new key as pending until it is done.
                                try await sync.replaceAccountKey(SyncSession.newAccountKey())
                                kit = try await sync.recoveryKit()
                                cutOff = "\(device.name) is cut off. Write down your new recovery kit above; the old one no longer works. Your other devices need it (or pairing) to sync again."
                                self.devices = nil
                            }
                        }
                    }
                }
                if devices.allSatisfy(\.current) { Text("No other device is signed in.") }
            } else {
                Button("I lost a device") { Task { await attempt { devices = try await sync.devices() } } }
            }
            if let cutOff { Text(cutOff) }
        } header: {
            Text("A lost or stolen device")
        } footer: {
            Text("Signs it out and changes your account key, so it cannot read anything you write from now on, even with a copy of the server. What it already saw stays seen.")
        }
        if let error { Section { Text(error).foregroundStyle(.red) } }
    }

    private func attempt(_ work: () async throws -> Void) async {
        error = await failure(of: work)
    }
}

/// A passphrase and one action with it (back up, or restore). The
/// passphrase is sealed on this phone (Argon2id) and never leaves it; the
/// field is cleared as soon as it is used.
private struct PassphraseSection: View {
    let title: String
    let action: String
    let note: String
    let run: (String) async throws -> String?
    @State private var passphrase = ""
    @State private var outcome: String?

    var body: some View {
        Section {
            SecureField("Backup passphrase", text: $passphrase)
            Button(action) {
                let typed = passphrase
                passphrase = ""
                Task {
                    do { outcome = try await run(typed) } catch { outcome = (error as? SyncError)?.message ?? error.localizedDescription }
                }
            }
            .disabled(passphrase.count < 12)
            if let outcome { Text(outcome) }
        } header: {
            Text(title)
        } footer: {
            Text("\(note) At least 12 characters. Forget it, and the backup cannot be opened by anyone: not by us, not by your therapist.")
        }
    }
}

/// A QR code of `text`, drawn by Core Image.
private struct QRCodeImage: View {
    let text: String
    let label: String

    var body: some View {
        if let image = Self.render(text) {
            Image(uiImage: image).interpolation(.none).resizable().scaledToFit()
                .frame(maxWidth: 220).accessibilityLabel(label)
        }
    }

    private static func render(_ text: String) -> UIImage? {
        let filter = CIFilter.qrCodeGenerator()
        filter.message = Data(text.utf8)
        filter.correctionLevel = "M"
        guard let output = filter.outputImage?.transformed(by: CGAffineTransform(scaleX: 8, y: 8)),
              let cgImage = CIContext().createCGImage(output, from: output.extent) else { return nil }
        return UIImage(cgImage: cgImage)
    }
}
