//! Wire types of the Rapport sync protocol, defined once and used by both the
//! server (`rapport-server`) and the sync engine in `rapport-core`.
//!
//! The server never parses document contents: a document travels as opaque
//! Automerge bytes ([`Bundle::data`]) plus a little metadata the client chooses
//! to reveal ([`DocKind`] and opaque [`Tag`]s) so that the server can enforce
//! per-kind sharing without reading the content. See `docs/protocol.md`.
//!
//! Control endpoints speak JSON. `POST /v1/sync`, which carries the bytes,
//! speaks CBOR (`application/cbor`) so that a change is not inflated by base64.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The public halves of keys and the sealed document keys travel as the
/// crypto crate defines them: one definition (docs/encryption.md).
pub use rapport_crypto::{AccountPublic, DeviceCertificate, KeyRotation, Wrap};

mod account;
pub mod bounded;
#[cfg(feature = "uniffi")]
pub mod ffi;
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("rapport_protocol");
mod ids;
pub use account::{ChangePasswordRequest, DeleteAccountRequest};
pub use ids::{AccountId, BundleId, DeviceId, GrantId, ItemId, LinkId, Tag};

/// Most bundles one push may carry on the wire (the server's own limit,
/// `max_batch`, is lower by default); past it the body is refused while it
/// is decoded.
pub const MAX_PUSH: usize = 10_000;
/// Most wraps one push may carry.
pub const MAX_WRAPS: usize = 1_000;
/// Most tags on one bundle.
pub const MAX_TAGS: usize = 32;
/// Most bundle ids one snapshot may cover.
pub const MAX_COVERS: usize = 100_000;

/// Media type of the sync endpoint's request and response bodies.
pub const CBOR: &str = "application/cbor";

/// Path prefix of every versioned endpoint.
pub const API_PREFIX: &str = "/v1";

/// The role of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Role {
    Client,
    Therapist,
}

/// What a document holds, at the granularity at which a client shares by kind
/// ("all wins", "all interactions with one person").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum DocKind {
    Profile,
    Interaction,
    Win,
    Reflection,
    Goal,
    Person,
    MoodCheckIn,
    Phq9CheckIn,
    Rehearsal,
    /// A therapist's feedback note: owned by the therapist, readable by the client.
    Note,
    /// A kind-wide share the client gave a therapist ("all wins", "all
    /// interactions with Sam"), kept in the client's own sealed record: the
    /// authority a device checks before sealing a key for anyone. Never shared.
    KindShare,
}

impl DocKind {
    pub const ALL: [DocKind; 11] = [
        DocKind::Profile,
        DocKind::Interaction,
        DocKind::Win,
        DocKind::Reflection,
        DocKind::Goal,
        DocKind::Person,
        DocKind::MoodCheckIn,
        DocKind::Phq9CheckIn,
        DocKind::Rehearsal,
        DocKind::Note,
        DocKind::KindShare,
    ];

    /// The stable snake_case name used on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Profile => "profile",
            DocKind::Interaction => "interaction",
            DocKind::Win => "win",
            DocKind::Reflection => "reflection",
            DocKind::Goal => "goal",
            DocKind::Person => "person",
            DocKind::MoodCheckIn => "mood_check_in",
            DocKind::Phq9CheckIn => "phq9_check_in",
            DocKind::Rehearsal => "rehearsal",
            DocKind::Note => "note",
            DocKind::KindShare => "kind_share",
        }
    }

    /// Parses the name returned by [`DocKind::as_str`].
    pub fn parse(name: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

// ---------------------------------------------------------------------------
// Errors (every 4xx and 5xx carries this JSON body)
// ---------------------------------------------------------------------------

/// Machine-readable error codes; the HTTP status is given beside each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ErrorCode {
    /// 400: the body or a parameter is malformed.
    BadRequest,
    /// 401: no token, an unknown token or a revoked one.
    Unauthorized,
    /// 401: wrong email or password.
    BadCredentials,
    /// 403: the caller may not do this (wrong role, someone else's document).
    Forbidden,
    /// 404: no such document, grant, link, device or invite.
    NotFound,
    /// 409: the email is taken, the invite was used, or the account's keys
    /// are already published.
    Conflict,
    /// 409: the document's key moved to a newer epoch (a revocation): fetch
    /// the new wrap with a pull, seal again under it and push again.
    StaleEpoch,
    /// 409: the account's key was replaced on another device (a lost device
    /// was cut off); this device syncs again once it has the new key, by
    /// pairing or from the new recovery kit.
    KeyRotated,
    /// 408: the request took longer than the server allows; send it again.
    Timeout,
    /// 410: the invite code expired.
    Expired,
    /// 413: the body, a bundle or the batch is larger than the server allows.
    TooLarge,
    /// 415: wrong content type.
    UnsupportedMediaType,
    /// 429: too many requests; retry after the time given.
    RateLimited,
    /// 500: the server failed; nothing was changed.
    Internal,
}

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorCode,
    /// A sentence a person can act on. Never contains document content.
    pub message: String,
}

// ---------------------------------------------------------------------------
// Accounts, sessions, devices
// ---------------------------------------------------------------------------

/// `POST /v1/accounts`
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpRequest {
    pub email: String,
    pub password: String,
    pub role: Role,
    pub display_name: String,
    /// The name of the device signing up, shown in the device list
    /// ("first device" when absent, as older apps sent none).
    #[serde(default)]
    pub device_name: Option<String>,
}

/// `POST /v1/sessions`: sign a device in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
    pub device_name: String,
}

/// Answer to sign-up and sign-in. Sign-up also signs the device in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Session {
    pub account_id: AccountId,
    pub role: Role,
    pub device_id: DeviceId,
    /// Opaque bearer token; the server keeps only its hash.
    pub token: String,
}

/// What `Debug` prints instead of a password or a token: these types end
/// up in logs, panics and crash reports.
pub const REDACTED: &str = "<redacted>";

impl std::fmt::Debug for SignUpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUpRequest")
            .field("email", &self.email)
            .field("password", &REDACTED)
            .field("role", &self.role)
            .field("display_name", &self.display_name)
            .field("device_name", &self.device_name)
            .finish()
    }
}

impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest")
            .field("email", &self.email)
            .field("password", &REDACTED)
            .field("device_name", &self.device_name)
            .finish()
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("account_id", &self.account_id)
            .field("role", &self.role)
            .field("device_id", &self.device_id)
            .field("token", &REDACTED)
            .finish()
    }
}

/// `GET /v1/devices` lists these; `DELETE /v1/devices/{id}` revokes one;
/// `DELETE /v1/sessions/current` signs the calling device out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Device {
    pub device_id: DeviceId,
    pub name: String,
    pub signed_in_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// True for the device that made the request.
    pub current: bool,
}

// ---------------------------------------------------------------------------
// Care links: client and therapist
// ---------------------------------------------------------------------------

/// `POST /v1/invites` (client): a short-lived, single-use code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Invite {
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// `POST /v1/invites/redeem` (therapist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedeemInviteRequest {
    pub code: String,
}

/// `GET /v1/links` lists these; `DELETE /v1/links/{id}` (client) ends one,
/// which also revokes every grant between the two accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CareLink {
    pub link_id: LinkId,
    pub client: AccountId,
    pub client_name: String,
    pub therapist: AccountId,
    pub therapist_name: String,
    pub linked_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------
// Sharing
// ---------------------------------------------------------------------------

/// What a grant covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum GrantScope {
    /// One document.
    Document { doc_id: ItemId },
    /// Every document of the owner of this kind, present and future; with a
    /// tag, only those carrying the tag (e.g. all interactions with one person).
    Kind { kind: DocKind, tag: Option<Tag> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Access {
    Read,
    Write,
}

/// `POST /v1/grants`: the owner of documents grants a linked account access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRequest {
    pub grantee: AccountId,
    pub scope: GrantScope,
    pub access: Access,
}

/// `GET /v1/grants` lists grants the caller gave and was given;
/// `DELETE /v1/grants/{id}` (the owner) revokes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Grant {
    pub grant_id: GrantId,
    pub owner: AccountId,
    pub grantee: AccountId,
    pub scope: GrantScope,
    pub access: Access,
    pub granted_at: DateTime<Utc>,
}

/// `GET /v1/access-log`: every read of the caller's documents by another account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AccessLogEntry {
    pub reader: AccountId,
    pub reader_name: String,
    pub doc_id: ItemId,
    pub kind: DocKind,
    pub read_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------
// Sync: push and pull in one round trip (CBOR)
// ---------------------------------------------------------------------------

/// One unit of pushed change: opaque Automerge bytes for one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    pub bundle_id: BundleId,
    pub doc_id: ItemId,
    pub kind: DocKind,
    /// Opaque tags for kind grants; the latest push's tags replace earlier ones.
    /// Left out of the body when empty.
    #[serde(
        default,
        deserialize_with = "bounded::seq::<_, _, MAX_TAGS>",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<Tag>,
    /// The epoch of the document key `data` is sealed with; 0 for a
    /// document stored before end-to-end encryption (plaintext).
    #[serde(default)]
    pub epoch: u32,
    /// A sealed bundle (docs/encryption.md): the server never parses it.
    /// Format 2 is bound to this envelope (document, epoch, bundle id,
    /// kind, and the pushing device) without repeating it.
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
}

/// `POST /v1/sync`: push a batch (may be empty), then pull one page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    /// Where the previous pull ended; `None` on a new device.
    pub cursor: Option<String>,
    #[serde(default, deserialize_with = "bounded::seq::<_, _, MAX_PUSH>")]
    pub push: Vec<Bundle>,
    /// Document keys sealed by this device for its own account or for a
    /// grantee (documents this account owns only). Left out when empty.
    #[serde(
        default,
        deserialize_with = "bounded::seq::<_, _, MAX_WRAPS>",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub wraps: Vec<Wrap>,
    /// Page size wanted; the server caps it.
    pub limit: Option<u32>,
}

/// A piece of a document the caller may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PulledChange {
    pub doc_id: ItemId,
    pub kind: DocKind,
    pub owner: AccountId,
    /// Automerge bytes: a saved document (snapshot) or change bytes; both load
    /// with `load_incremental`. Sealed (docs/encryption.md) unless its epoch is 0.
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
    /// The bundle's id as it was pushed; `None` for a snapshot. A sealed
    /// bundle of format 2 is bound to it, to `device_id` and to `epoch`
    /// (older servers sent none of the three).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_id: Option<BundleId>,
    /// The device that pushed the piece (and sealed it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<DeviceId>,
    /// The epoch of the document key `data` is sealed with; 0: plaintext.
    #[serde(default)]
    pub epoch: u32,
}

/// Why a document left the caller's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// The owner revoked the grant or ended the care link: drop the local copy.
    Revoked,
    /// The owner deleted the document.
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    pub doc_id: ItemId,
    pub reason: RemovalReason,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// Bundle ids of the push that are stored (including ones stored by an earlier try).
    pub acked: Vec<BundleId>,
    pub changes: Vec<PulledChange>,
    pub removed: Vec<Removal>,
    /// Document keys sealed for the caller's account, of documents in its
    /// view. Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wraps: Vec<Wrap>,
    /// To an owner's device: documents a grantee may read that have no wrap
    /// for it at the document's current epoch (shared since, or created
    /// offline). The device seals the key for each and pushes the wraps.
    /// Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs_wraps: Vec<NeedsWrap>,
    /// Opaque; send it back with the next request.
    pub cursor: String,
    /// True when another page is waiting: call again at once.
    pub more: bool,
}

/// A document a grantee may read without a wrap of its current epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedsWrap {
    pub doc_id: ItemId,
    pub grantee: AccountId,
    pub epoch: u32,
}

/// `PUT /v1/documents/{id}/snapshot` (owner or writer, CBOR): a saved document
/// that covers every bundle of the document the server has sent this device so
/// far; the server may drop the bundles it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRequest {
    /// The bundle ids the snapshot covers (all the device has pushed or pulled).
    #[serde(deserialize_with = "bounded::seq::<_, _, MAX_COVERS>")]
    pub covers: Vec<BundleId>,
    /// The epoch `data` is sealed with (0: plaintext, before encryption).
    #[serde(default)]
    pub epoch: u32,
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
}

// ---------------------------------------------------------------------------
// Keys: the public key directory and the passphrase backup
// ---------------------------------------------------------------------------

/// `PUT /v1/keys`: a device publishes its account's public keys (once per
/// account; they change only by a [`RotateKeys`]) and its own certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishKeys {
    pub account: AccountPublic,
    pub device: DeviceCertificate,
}

/// `GET /v1/keys/{account}` (the account itself or a linked one): what a
/// peer pins on first use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeys {
    pub account_id: AccountId,
    pub account: AccountPublic,
    /// Every device the account certified, signed-out ones included (their
    /// earlier bundles stay verifiable).
    pub devices: Vec<DeviceCertificate>,
    /// Certificates made under earlier account keys, before a rotation:
    /// they verify only the bundles and wraps signed before it.
    #[serde(default)]
    pub retired_devices: Vec<DeviceCertificate>,
    /// The account's key rotations, oldest first: from any key a peer
    /// pinned, they lead to `account` (`rapport_crypto::key_chain`).
    #[serde(default)]
    pub rotations: Vec<KeyRotation>,
}

/// Most tag renames in one rotation (a person or goal each).
pub const MAX_TAG_RENAMES: usize = 10_000;

/// `POST /v1/keys/rotate`: the account key is replaced (a device was lost).
/// The server checks the statement against the published keys, publishes
/// the next keys and the calling device's new certificate, retires every
/// other certificate (those devices sync again once they have the new key),
/// deletes the passphrase backup (it holds the old key), and renames the
/// blinded tags of the account's documents and grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotateKeys {
    pub rotation: KeyRotation,
    pub device: DeviceCertificate,
    #[serde(default, deserialize_with = "bounded::seq::<_, _, MAX_TAG_RENAMES>")]
    pub tags: Vec<TagRename>,
}

/// A blinded tag under the old tag key and the same tag under the new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagRename {
    pub from: Tag,
    pub to: Tag,
}

/// `PUT` / `GET /v1/keys/backup`: the account key sealed under a passphrase
/// on a device (Argon2id); the server cannot open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyBackup {
    #[serde(with = "serde_bytes")]
    pub sealed: Vec<u8>,
}

/// `GET /v1/limits`: what the server accepts, so a client can split batches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_body_bytes: u64,
    pub max_bundle_bytes: u64,
    pub max_batch: u32,
    pub max_page: u32,
    /// The newest wrap format the server keeps whole ([`WRAP_FORMAT`] on
    /// this build). A server from before wrap format 2 sends none, which
    /// reads as 1: a client then seals grantee wraps in format 1, which that
    /// server stores and serves unchanged.
    #[serde(default = "wrap_format_1")]
    pub wrap_format: u8,
}

/// The newest wrap format this build's server keeps (a wrap's `format`).
pub const WRAP_FORMAT: u8 = rapport_crypto::format::WRAP_FORMAT_SHARED;

fn wrap_format_1() -> u8 {
    rapport_crypto::format::WRAP_FORMAT_1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_from_a_server_before_wrap_format_2_read_as_format_1() {
        let old: Limits = serde_json::from_str(
            r#"{"max_body_bytes":10,"max_bundle_bytes":5,"max_batch":2,"max_page":3}"#,
        )
        .expect("limits");
        assert_eq!(old.wrap_format, 1);
        let now: Limits = serde_json::from_str(
            r#"{"max_body_bytes":10,"max_bundle_bytes":5,"max_batch":2,"max_page":3,"wrap_format":2}"#,
        )
        .expect("limits");
        assert_eq!(now.wrap_format, WRAP_FORMAT);
    }

    #[test]
    fn debug_never_prints_a_password_or_a_token() {
        let session = Session {
            account_id: AccountId("acct-1".into()),
            role: Role::Client,
            device_id: DeviceId("dev-1".into()),
            token: "tok-secret-123".into(),
        };
        let sign_in = SignInRequest {
            email: "ada@example.org".into(),
            password: "pw-secret-456".into(),
            device_name: "phone".into(),
        };
        let sign_up = SignUpRequest {
            email: "ada@example.org".into(),
            password: "pw-secret-789".into(),
            role: Role::Therapist,
            display_name: "Ada".into(),
            device_name: None,
        };
        let printed = format!("{session:?} {sign_in:?} {sign_up:?} {session:#?}");
        for secret in ["tok-secret-123", "pw-secret-456", "pw-secret-789"] {
            assert!(!printed.contains(secret), "{printed}");
        }
        assert!(printed.contains("acct-1") && printed.contains("ada@example.org"));
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in DocKind::ALL {
            assert_eq!(DocKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).expect("serialize");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(DocKind::parse("diary"), None);
    }

    #[test]
    fn sync_request_bytes_stay_raw_in_cbor() {
        let data = vec![7u8; 200];
        let req = SyncRequest {
            cursor: Some("42".into()),
            wraps: vec![],
            push: vec![Bundle {
                bundle_id: "b".into(),
                doc_id: "d".into(),
                kind: DocKind::Win,
                tags: vec![],
                epoch: 1,
                data: data.clone(),
            }],
            limit: None,
        };
        let mut buf = Vec::new();
        ciborium::into_writer(&req, &mut buf).expect("encode");
        // 200 raw bytes plus a small envelope: no base64 inflation.
        assert!(buf.len() < 200 + 120, "{} bytes", buf.len());
        let back: SyncRequest = ciborium::from_reader(buf.as_slice()).expect("decode");
        assert_eq!(back, req);
    }
}
