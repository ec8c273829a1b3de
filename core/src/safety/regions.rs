//! The crisis resources a device shows before anyone configured its own,
//! chosen by the device's region. Each number carries the source it was
//! taken from. A region with no crisis line listed here gets its emergency
//! number; a region with neither gets a plain instruction, never a guessed
//! number.

use super::resource::{CrisisContact, CrisisResource};

const ALWAYS: &str = "24 hours, every day";

/// A line listed for a region.
struct Line {
    name: &'static str,
    contact: Contact,
    hours: &'static str,
}

#[derive(Clone, Copy)]
enum Contact {
    Phone(&'static str),
    Text(&'static str),
    Web(&'static str),
}

/// What a region has: its own crisis lines, and the number that reaches
/// emergency services.
struct Region {
    codes: &'static [&'static str],
    lines: &'static [Line],
    emergency: &'static str,
}

const fn line(name: &'static str, contact: Contact) -> Line {
    Line {
        name,
        contact,
        hours: ALWAYS,
    }
}

/// Member states of the EU and the EEA where 112 is the emergency number
/// and no national crisis line is listed below.
/// Source: Directive (EU) 2018/1972 (European Electronic Communications
/// Code), Article 109: 112 is the single European emergency number in every
/// member state; the EEA agreement extends it to Iceland, Liechtenstein and
/// Norway.
const EUROPE_112: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "GR", "HU", "IT", "LV", "LT", "LU", "MT",
    "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
];

const REGIONS: &[Region] = &[
    Region {
        codes: &["US"],
        lines: &[
            // Source: FCC Report and Order FCC 20-100 (2020) designating 988;
            // SAMHSA, 988lifeline.org (call, text or chat, 24/7).
            line("988 Suicide & Crisis Lifeline", Contact::Phone("988")),
            line(
                "988 Lifeline chat",
                Contact::Web("https://988lifeline.org/chat/"),
            ),
        ],
        // Source: FCC, 911 as the US emergency number.
        emergency: "911",
    },
    Region {
        codes: &["CA"],
        lines: &[
            // Source: CRTC Telecom Regulatory Policy 2022-234; 988.ca
            // (call or text 988, 24/7, since 30 November 2023).
            line("9-8-8 Suicide Crisis Helpline", Contact::Phone("988")),
            line("9-8-8 Suicide Crisis Helpline (text)", Contact::Text("988")),
        ],
        // Source: CRTC, 9-1-1 as Canada's emergency number.
        emergency: "911",
    },
    Region {
        codes: &["GB"],
        lines: &[
            // Source: samaritans.org (free, 24 hours, every day).
            line("Samaritans", Contact::Phone("116123")),
        ],
        // Source: Ofcom General Conditions, C4: 999 and 112.
        emergency: "999",
    },
    Region {
        codes: &["IE"],
        lines: &[
            // Source: samaritans.org/ireland (free, 24 hours, every day).
            line("Samaritans", Contact::Phone("116123")),
        ],
        // Source: ComReg, 112 and 999 as Ireland's emergency numbers.
        emergency: "112",
    },
    Region {
        codes: &["AU"],
        lines: &[
            // Source: lifeline.org.au (13 11 14, 24/7).
            line("Lifeline", Contact::Phone("131114")),
        ],
        // Source: ACMA, Triple Zero (000).
        emergency: "000",
    },
    Region {
        codes: &["NZ"],
        lines: &[
            // Source: 1737.org.nz, "Need to talk?" (free call or text, 24/7).
            line("Need to talk? 1737", Contact::Phone("1737")),
            line("Need to talk? 1737 (text)", Contact::Text("1737")),
        ],
        // Source: New Zealand Police, 111 as the emergency number.
        emergency: "111",
    },
    Region {
        codes: &["DE"],
        lines: &[
            // Source: telefonseelsorge.de (free, 24 hours, every day).
            line("TelefonSeelsorge", Contact::Phone("08001110111")),
        ],
        // Source: Directive (EU) 2018/1972, Article 109.
        emergency: "112",
    },
    Region {
        codes: &["FR"],
        lines: &[
            // Source: 3114.fr, numéro national de prévention du suicide
            // (Ministère de la Santé, free, 24/7, since October 2021).
            line("3114 prévention du suicide", Contact::Phone("3114")),
        ],
        // Source: Directive (EU) 2018/1972, Article 109.
        emergency: "112",
    },
    Region {
        codes: &["NL"],
        lines: &[
            // Source: 113.nl, 113 Zelfmoordpreventie (113 or 0800-0113, 24/7).
            line("113 Zelfmoordpreventie", Contact::Phone("113")),
        ],
        // Source: Directive (EU) 2018/1972, Article 109.
        emergency: "112",
    },
    Region {
        codes: &["IN"],
        lines: &[
            // Source: telemanas.mohfw.gov.in, Tele-MANAS (Ministry of
            // Health and Family Welfare, 14416, 24/7).
            line("Tele-MANAS", Contact::Phone("14416")),
        ],
        // Source: Emergency Response Support System (ERSS), 112.
        emergency: "112",
    },
    Region {
        codes: &["BR"],
        lines: &[
            // Source: cvv.org.br, Centro de Valorização da Vida (188, 24h).
            line("CVV – Centro de Valorização da Vida", Contact::Phone("188")),
        ],
        // Source: Ministério da Saúde, SAMU 192.
        emergency: "192",
    },
    Region {
        codes: EUROPE_112,
        lines: &[],
        emergency: "112",
    },
    Region {
        // Source: Swiss Federal Office of Communications (OFCOM), 112 and 144.
        codes: &["CH"],
        lines: &[],
        emergency: "112",
    },
    Region {
        // Source: Instituto Federal de Telecomunicaciones, 911 since 2017.
        codes: &["MX"],
        lines: &[],
        emergency: "911",
    },
    Region {
        // Source: Fire and Disaster Management Agency, 119 (fire, ambulance).
        codes: &["JP", "KR"],
        lines: &[],
        emergency: "119",
    },
];

/// Said where no number is known for the device's region.
pub const NO_NUMBER_KNOWN: &str =
    "Call your local emergency number, or go to the nearest emergency department";

/// The default resources for `region` (an upper-case ISO 3166-1 code), or
/// the plain instruction when the region is unknown or not listed.
pub fn defaults_for(region: Option<&str>) -> Vec<CrisisResource> {
    let found = region.and_then(|code| {
        REGIONS
            .iter()
            .find(|r| r.codes.contains(&code))
            .map(|r| (code, r))
    });
    let Some((code, region)) = found else {
        return vec![CrisisResource {
            name: NO_NUMBER_KNOWN.into(),
            contact: CrisisContact::Instruction,
            hours: String::new(),
            region: region.map(str::to_owned),
        }];
    };
    let mut resources: Vec<CrisisResource> = region
        .lines
        .iter()
        .map(|l| CrisisResource {
            name: l.name.into(),
            contact: match l.contact {
                Contact::Phone(n) => CrisisContact::Phone { number: n.into() },
                Contact::Text(n) => CrisisContact::Text { number: n.into() },
                Contact::Web(u) => CrisisContact::Web { url: u.into() },
            },
            hours: l.hours.into(),
            region: Some(code.to_owned()),
        })
        .collect();
    resources.push(CrisisResource {
        name: "Emergency services".into(),
        contact: CrisisContact::Phone {
            number: region.emergency.into(),
        },
        hours: ALWAYS.into(),
        region: Some(code.to_owned()),
    });
    resources
}

/// Every region code with defaults of its own (for tests and settings
/// screens).
pub fn listed_regions() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().flat_map(|r| r.codes.iter().copied())
}
