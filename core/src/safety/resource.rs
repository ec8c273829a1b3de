//! One crisis resource: who it is, how to reach it (a dialable number, a
//! text line or an https address, or only an instruction when no number is
//! known), when it answers and where it serves.
//!
//! The phone apps dial or open [`CrisisResource::uri`], which the core builds
//! from the structured contact; no app ever takes digits out of free text
//! (that is how "112 in Europe, 911 in North America" once became a call to
//! 112911).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::record::{limit_text, require_text};

/// A place to turn to in a crisis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredResource")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CrisisResource {
    /// What a person in distress reads, e.g. "988 Suicide & Crisis Lifeline".
    pub name: String,
    pub contact: CrisisContact,
    /// When it answers, e.g. "24 hours, every day" (empty if not known).
    pub hours: String,
    /// The region it serves (ISO 3166-1 alpha-2, e.g. "US"), `None` for the
    /// client's or therapist's own.
    pub region: Option<String>,
}

/// How to reach a crisis resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CrisisContact {
    /// A number to call: digits, with a leading `+` when in international
    /// form ("988", "116123", "+4930123456").
    Phone { number: String },
    /// A number to text.
    Text { number: String },
    /// A web page or chat (https only).
    Web { url: String },
    /// No number is known for the region: the resource's name says what to
    /// do ("Call your local emergency number").
    Instruction,
}

/// The longest number accepted: E.164 allows 15 digits.
const MAX_DIGITS: usize = 15;
/// The shortest: emergency short codes such as "000" or "112".
const MIN_DIGITS: usize = 3;
/// Opening hours and region names stay short on a crisis screen.
const MAX_HOURS_BYTES: usize = 200;

impl CrisisContact {
    /// The URI the phone opens: `tel:`, `sms:` or `https:`; `None` for an
    /// instruction.
    pub fn uri(&self) -> Option<String> {
        match self {
            CrisisContact::Phone { number } => Some(format!("tel:{number}")),
            CrisisContact::Text { number } => Some(format!("sms:{number}")),
            CrisisContact::Web { url } => Some(url.clone()),
            CrisisContact::Instruction => None,
        }
    }

    /// Checks the contact and brings a number to its dialable form (spaces,
    /// dots, dashes and brackets between digits are dropped; a letter or
    /// anything else is refused, never guessed around).
    pub(crate) fn normalised(self) -> Result<CrisisContact> {
        Ok(match self {
            CrisisContact::Phone { number } => CrisisContact::Phone {
                number: dialable(&number)?,
            },
            CrisisContact::Text { number } => CrisisContact::Text {
                number: dialable(&number)?,
            },
            CrisisContact::Web { url } => CrisisContact::Web {
                url: https_url(&url)?,
            },
            CrisisContact::Instruction => CrisisContact::Instruction,
        })
    }
}

/// `uri()` is a method of the record in Kotlin and Swift too.
#[cfg_attr(feature = "uniffi", uniffi::export)]
impl CrisisResource {
    /// The URI the phone opens for it (see [`CrisisContact::uri`]).
    pub fn uri(&self) -> Option<String> {
        self.contact.uri()
    }
}

impl CrisisResource {
    /// Checks every field; returns the resource with its contact normalised.
    pub(crate) fn validated(self) -> Result<CrisisResource> {
        require_text("name", &self.name)?;
        limit_text("hours", &self.hours)?;
        if self.hours.len() > MAX_HOURS_BYTES {
            return Err(Error::invalid(
                "hours",
                format!("is longer than {MAX_HOURS_BYTES} bytes"),
            ));
        }
        let region = self.region.as_deref().map(region_code).transpose()?;
        Ok(CrisisResource {
            contact: self.contact.normalised()?,
            region,
            ..self
        })
    }
}

/// A region code as the platforms give it (ISO 3166-1 alpha-2), upper case.
pub(crate) fn region_code(code: &str) -> Result<String> {
    let code = code.trim();
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(Error::invalid(
            "region",
            "must be a two-letter ISO 3166-1 code such as \"US\" or \"DE\"",
        ));
    }
    Ok(code.to_ascii_uppercase())
}

fn dialable(number: &str) -> Result<String> {
    let number = number.trim();
    let (plus, rest) = match number.strip_prefix('+') {
        // "+44 (0)20 ...": the bracketed trunk 0 is not dialled from abroad.
        Some(rest) => ("+", rest.replacen("(0)", "", 1)),
        None => ("", number.to_owned()),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => {
                return Err(Error::invalid(
                    "number",
                    "may hold only digits (with spaces, dashes or brackets between them) and a leading +",
                ));
            }
        }
    }
    if digits.len() < MIN_DIGITS || digits.len() > MAX_DIGITS {
        return Err(Error::invalid(
            "number",
            format!("must have {MIN_DIGITS} to {MAX_DIGITS} digits"),
        ));
    }
    Ok(format!("{plus}{digits}"))
}

fn https_url(url: &str) -> Result<String> {
    let refuse = |reason: &str| Err(Error::invalid("url", reason.to_owned()));
    let parsed = match url::Url::parse(url.trim()) {
        Ok(parsed) => parsed,
        Err(_) => return refuse("is not a web address"),
    };
    if parsed.scheme() != "https" {
        return refuse("must start with https://");
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return refuse("has no host");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return refuse("must not carry a user name or password");
    }
    Ok(parsed.to_string())
}

/// A resource as stored on the device or in an export file: the shape above,
/// or that of Rapport before resources were structured, `{name, contact}`
/// with `contact` free text.
#[derive(Deserialize)]
struct StoredResource {
    name: String,
    contact: StoredContact,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    region: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StoredContact {
    Structured(CrisisContact),
    Legacy(String),
}

impl From<StoredResource> for CrisisResource {
    fn from(stored: StoredResource) -> Self {
        let StoredResource {
            name,
            contact,
            hours,
            region,
        } = stored;
        let (name, contact) = match contact {
            StoredContact::Structured(contact) => (name, contact),
            StoredContact::Legacy(text) => legacy(name, text),
        };
        CrisisResource {
            name,
            contact,
            hours,
            region,
        }
    }
}

/// An old free-text contact becomes a number only if it is nothing but one
/// number, an https address only if it is one; anything else stays words to
/// read (an instruction), so that no sentence is ever dialled.
fn legacy(name: String, text: String) -> (String, CrisisContact) {
    if let Ok(number) = dialable(&text) {
        return (name, CrisisContact::Phone { number });
    }
    if let Ok(url) = https_url(&text) {
        return (name, CrisisContact::Web { url });
    }
    let name = if text.trim().is_empty() {
        name
    } else {
        format!("{name}: {}", text.trim())
    };
    (name, CrisisContact::Instruction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_digits_with_an_optional_plus() {
        assert_eq!(dialable("116 123").ok().as_deref(), Some("116123"));
        assert_eq!(
            dialable("+44 (0)20 7946-0000").ok().as_deref(),
            Some("+442079460000")
        );
        assert!(dialable("112 in Europe, 911 in North America").is_err());
        assert!(dialable("12").is_err());
        assert!(dialable("1234567890123456").is_err());
        assert!(dialable("++112").is_err());
        assert!(dialable("911;ext").is_err());
    }

    #[test]
    fn a_legacy_sentence_is_never_dialled() {
        let (name, contact) = legacy(
            "Emergency services".into(),
            "Your local emergency number (112 in Europe, 911 in North America)".into(),
        );
        assert_eq!(contact, CrisisContact::Instruction);
        assert!(name.contains("112 in Europe"));
        let (_, contact) = legacy("Samaritans".into(), "116 123".into());
        assert_eq!(
            contact,
            CrisisContact::Phone {
                number: "116123".into()
            }
        );
    }
}
