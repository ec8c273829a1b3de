//! The charts, as inline SVG: the mood series and the PHQ-9 trend drawn
//! with plotters' SVG backend, the closeness circle drawn by hand. Each
//! chart carries a `<title>` and a `<desc>` (its text alternative) and
//! states its scale's direction; the points are elements of their own
//! (`mood-point`, `phq9-point`, `item9-flag`, `low-point`) with a title
//! each, and a low point links to the interactions behind it.

use std::fmt::Write;

use chrono::{DateTime, NaiveDate, Utc};
use plotters::prelude::*;
use rapport_core::clinical::{LowPoint, MoodPoint, MoodSource, Phq9Entry};
use rapport_core::inventory::{Person, Ring};
use rapport_core::record::Item;

use crate::error::ReviewError;
use crate::text::{self, escape};

const WIDTH: u32 = 720;
const HEIGHT: u32 = 280;

/// The days a chart spans: the range, cut at the last point (at least a week).
#[derive(Debug, Clone, Copy)]
pub struct Days {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Days {
    pub fn new(from: NaiveDate, to: NaiveDate, last: Option<DateTime<Utc>>) -> Days {
        let end = last.map_or(to, |at| {
            (at.date_naive() + chrono::Duration::days(1)).min(to)
        });
        let end = end.max(from + chrono::Duration::days(7));
        Days { from, to: end }
    }

    fn x(&self, at: DateTime<Utc>) -> f64 {
        let start = self.from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        (at - start).num_minutes() as f64 / (24.0 * 60.0)
    }

    fn len(&self) -> f64 {
        (self.to - self.from).num_days() as f64
    }

    fn label(&self, x: f64) -> String {
        let day = self.from + chrono::Duration::days(x.floor() as i64);
        day.format("%-d %b").to_string()
    }
}

/// A mark drawn over the plot once plotters is done.
struct Overlay(String);

/// The mood series: 0 worst to 10 best; low points ringed and linked to
/// `#low-N`, where the page lists the interactions behind them.
pub fn mood(points: &[MoodPoint], lows: &[LowPoint], days: Days) -> Result<String, ReviewError> {
    let desc = format!(
        "{} mood ratings from {} to {}, on a scale from 0 (worst) to 10 (best). {}",
        points.len(),
        text::date(days.from),
        text::date(days.to - chrono::Duration::days(1)),
        lows.iter()
            .map(|l| format!(
                "Low point: {} on {}.",
                l.point.rating,
                text::short_date(l.point.at)
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut overlay = Vec::new();
    let svg = plot(days, (0.0, 10.0), "Mood: 0 worst – 10 best", |chart| {
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (days.x(p.at), f64::from(p.rating))),
                ShapeStyle::from(&RGBColor(70, 110, 170)).stroke_width(2),
            ))
            .map_err(err)?;
        for p in points {
            let (cx, cy) = chart.backend_coord(&(days.x(p.at), f64::from(p.rating)));
            let (class, what) = match &p.source {
                MoodSource::CheckIn { event, crisis, .. } => (
                    if *crisis {
                        "mood-point checkin crisis"
                    } else {
                        "mood-point checkin"
                    },
                    format!("mood check-in: {event}"),
                ),
                MoodSource::Interaction { person, .. } => (
                    "mood-point interaction",
                    format!(
                        "after an interaction with {}",
                        person.as_deref().unwrap_or("someone not shared")
                    ),
                ),
            };
            overlay.push(Overlay(format!(
                    "<circle class=\"{class}\" cx=\"{cx}\" cy=\"{cy}\" r=\"4.5\"><title>{}: {}/10, {}</title></circle>",
                    text::short_date(p.at),
                    p.rating,
                    escape(&what)
                )));
        }
        for (n, low) in lows.iter().enumerate() {
            let (cx, cy) =
                chart.backend_coord(&(days.x(low.point.at), f64::from(low.point.rating)));
            overlay.push(Overlay(format!(
                "<a class=\"low-point\" href=\"#low-{}\"><circle cx=\"{cx}\" cy=\"{cy}\" r=\"10\"/>\
                     <title>Low point {}: {}/10 on {}; see what was behind it</title></a>",
                n + 1,
                n + 1,
                low.point.rating,
                text::short_date(low.point.at)
            )));
        }
        Ok(())
    })?;
    Ok(finish(
        svg,
        "mood-chart",
        "Mood over the period",
        &desc,
        &overlay,
    ))
}

/// PHQ-9 severity bands, from the standard cut-offs.
const BANDS: [(f64, f64, &str, RGBColor); 5] = [
    (0.0, 5.0, "minimal", RGBColor(226, 242, 228)),
    (5.0, 10.0, "mild", RGBColor(240, 245, 220)),
    (10.0, 15.0, "moderate", RGBColor(252, 240, 214)),
    (15.0, 20.0, "moderately severe", RGBColor(250, 226, 210)),
    (20.0, 27.0, "severe", RGBColor(246, 214, 214)),
];

/// The PHQ-9 totals over the severity bands, item-9 answers above 0 marked.
pub fn phq9(entries: &[Phq9Entry], days: Days) -> Result<String, ReviewError> {
    let desc = format!(
        "{} PHQ-9 totals on a scale from 0 (no symptoms) to 27 (most severe), lower is better, \
         over the severity bands minimal 0–4, mild 5–9, moderate 10–14, moderately severe 15–19, \
         severe 20–27: {}. {}",
        entries.len(),
        entries
            .iter()
            .map(|e| format!("{} on {}", e.total, text::short_date(e.at)))
            .collect::<Vec<_>>()
            .join(", "),
        match entries.iter().filter(|e| e.item9 > 0).count() {
            0 => "No item-9 answer above 0.".to_owned(),
            n =>
                format!("{n} with item 9 (thoughts of self-harm) above 0, marked with a triangle."),
        }
    );
    let mut overlay = Vec::new();
    let svg = plot(
        days,
        (0.0, 27.0),
        "PHQ-9 total: 0 none – 27 most severe",
        |chart| {
            for (lo, hi, _, color) in BANDS {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, lo), (days.len(), hi)],
                        color.filled(),
                    )))
                    .map_err(err)?;
            }
            for (lo, hi, label, _) in BANDS {
                let (x, y) = chart.backend_coord(&(days.len(), (lo + hi) / 2.0));
                overlay.push(Overlay(format!(
                    "<text class=\"band-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{label}</text>",
                    x - 6,
                    y + 4
                )));
            }
            chart
                .draw_series(LineSeries::new(
                    entries.iter().map(|e| (days.x(e.at), f64::from(e.total))),
                    ShapeStyle::from(&RGBColor(90, 60, 130)).stroke_width(2),
                ))
                .map_err(err)?;
            for e in entries {
                let (cx, cy) = chart.backend_coord(&(days.x(e.at), f64::from(e.total)));
                overlay.push(Overlay(format!(
                    "<circle class=\"phq9-point\" cx=\"{cx}\" cy=\"{cy}\" r=\"4.5\"><title>{}: PHQ-9 {} ({})</title></circle>",
                    text::short_date(e.at),
                    e.total,
                    text::severity(e.severity)
                )));
                if e.item9 > 0 {
                    overlay.push(Overlay(format!(
                        "<path class=\"item9-flag\" d=\"M{} {} l8 -14 l8 14 z\"><title>{}: item 9 (thoughts of self-harm) at {} of 3</title></path>",
                        cx - 8,
                        cy - 10,
                        text::short_date(e.at),
                        e.item9
                    )));
                }
            }
            Ok(())
        },
    )?;
    Ok(finish(
        svg,
        "phq9-chart",
        "PHQ-9 over the period",
        &desc,
        &overlay,
    ))
}

type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Axes and mesh for a chart over `days`; `draw` adds the series.
fn plot(
    days: Days,
    y: (f64, f64),
    y_desc: &str,
    draw: impl FnOnce(&mut Chart<'_, '_>) -> Result<(), ReviewError>,
) -> Result<String, ReviewError> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(44)
            .build_cartesian_2d(0.0..days.len(), y.0..y.1)
            .map_err(err)?;
        let label = |x: &f64| days.label(*x);
        chart
            .configure_mesh()
            .x_labels(8)
            .y_labels(if y.1 > 10.0 { 10 } else { 11 })
            .x_label_formatter(&label)
            .y_label_formatter(&|v: &f64| format!("{v:.0}"))
            .y_desc(y_desc)
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(220, 220, 220))
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 13))
            .draw()
            .map_err(err)?;
        draw(&mut chart)?;
        root.present().map_err(err)?;
    }
    Ok(buf)
}

/// Makes plotters' SVG an accessible inline chart: no fixed size, no
/// namespace URL, a title and description first, the overlay last.
fn finish(svg: String, id: &str, title: &str, desc: &str, overlay: &[Overlay]) -> String {
    let head = format!(
        "<svg class=\"chart {id}\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(desc)
    );
    let body = match svg.find('>') {
        Some(end) if svg.starts_with("<svg") => &svg[end + 1..],
        _ => svg.as_str(),
    };
    let body = body.trim_end().strip_suffix("</svg>").unwrap_or(body);
    let mut out = String::with_capacity(head.len() + body.len() + overlay.len() * 160);
    out.push_str(&head);
    out.push_str(body);
    out.push_str("<g class=\"marks\">");
    for o in overlay {
        out.push_str(&o.0);
    }
    out.push_str("</g></svg>");
    out
}

fn err<E: std::fmt::Display>(e: E) -> ReviewError {
    ReviewError::Render(format!("chart: {e}"))
}

/// The closeness circle: the client at the centre, the people of the
/// inventory on the inner, middle and outer rings; a role dispute is
/// drawn with a dashed outline and its stage in the title.
pub fn closeness_circle(people: &[Item<Person>]) -> String {
    const SIZE: f64 = 360.0;
    let c = SIZE / 2.0;
    let rings = [
        (Ring::Inner, 66.0, 44.0),
        (Ring::Middle, 116.0, 90.0),
        (Ring::Outer, 172.0, 145.0),
    ];
    let desc = {
        let on = |ring: Ring| {
            let names: Vec<&str> = people
                .iter()
                .filter(|p| p.record.ring == ring)
                .map(|p| p.record.nickname.as_str())
                .collect();
            if names.is_empty() {
                "nobody".to_owned()
            } else {
                names.join(", ")
            }
        };
        format!(
            "The closeness circle. Inner ring: {}. Middle ring: {}. Outer ring: {}.",
            on(Ring::Inner),
            on(Ring::Middle),
            on(Ring::Outer)
        )
    };
    let mut out = format!(
        "<svg class=\"chart closeness\" id=\"closeness-circle\" role=\"img\" \
         aria-labelledby=\"closeness-title closeness-desc\" viewBox=\"0 0 {SIZE} {SIZE}\">\
         <title id=\"closeness-title\">Closeness circle</title><desc id=\"closeness-desc\">{}</desc>",
        escape(&desc)
    );
    for (ring, radius, _) in rings.iter().rev() {
        let _ = write!(
            out,
            "<circle class=\"ring ring-{}\" cx=\"{c}\" cy=\"{c}\" r=\"{radius}\"/>",
            text::ring(*ring).split(' ').next().unwrap_or("ring")
        );
    }
    for (ring, radius, _) in &rings {
        let _ = write!(
            out,
            "<text class=\"ring-label\" x=\"{c}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            c - radius + 12.0,
            text::ring(*ring)
        );
    }
    let _ = write!(
        out,
        "<text class=\"centre\" x=\"{c}\" y=\"{}\" text-anchor=\"middle\">client</text>",
        c + 4.0
    );
    for (ring, _, place) in &rings {
        let on: Vec<&Item<Person>> = people.iter().filter(|p| p.record.ring == *ring).collect();
        let offset = match ring {
            Ring::Inner => 0.6,
            Ring::Middle => 0.25,
            Ring::Outer => 0.0,
        };
        for (i, p) in on.iter().enumerate() {
            let angle = std::f64::consts::TAU * (i as f64 + offset) / on.len() as f64
                - std::f64::consts::FRAC_PI_2
                + 0.35;
            let (x, y) = (c + place * angle.cos(), c + place * angle.sin());
            let stage = p.record.dispute_stage();
            let title = match stage {
                Some(s) => format!(
                    "{} ({}), {}: role dispute, {}",
                    p.record.nickname,
                    p.record.relationship,
                    text::ring(*ring),
                    text::stage(s)
                ),
                None => format!(
                    "{} ({}), {}",
                    p.record.nickname,
                    p.record.relationship,
                    text::ring(*ring)
                ),
            };
            let _ = write!(
                out,
                "<g class=\"person{}\"><title>{}</title><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"7\"/>\
                 <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
                if stage.is_some() { " dispute" } else { "" },
                escape(&title),
                y + 20.0,
                escape(&p.record.nickname)
            );
        }
    }
    out.push_str("</svg>");
    out
}
