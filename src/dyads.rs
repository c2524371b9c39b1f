//! Who stands where: aggregates stance predictions into (source party,
//! target party, period) cells, with counts per stance and the mean of
//! P(conciliatory) - P(critical) as the score.

use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write;

/// How predictions are grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Period {
    Month,
    Day,
    None,
}

impl Period {
    /// The period of an ISO date (`YYYY-MM-DD`); "undated" when unknown.
    pub fn of(self, date: Option<&str>) -> String {
        match (self, date) {
            (Period::None, _) => "all".into(),
            (_, None) => "undated".into(),
            (Period::Month, Some(d)) if d.len() >= 7 => d[..7].to_string(),
            (_, Some(d)) => d.to_string(),
        }
    }
}

crate::json::named_enum! {
    /// A stance toward a party, as `predict` reports it.
    pub enum Stance {
        Conciliatory => "conciliatory",
        Critical => "critical",
        Neutral => "neutral",
        /// The model was not sure enough (`predict --min-prob`); never
        /// counted in dyads.
        Uncertain => "uncertain",
    }
}

/// One scored (speaker party -> target party) observation. The names are
/// borrowed from the record observed where it outlives the count (one
/// article in `predict`) and owned where it does not (a corpus read line by
/// line in `dyads`): a dyad copies them once, not every observation.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation<'a> {
    pub source: Cow<'a, str>,
    pub target: Cow<'a, str>,
    pub period: Cow<'a, str>,
    pub stance: Stance,
    /// P(conciliatory) - P(critical).
    pub score: f64,
}

impl Observation<'_> {
    /// The observation with names of its own, to outlive the record.
    pub fn into_owned(self) -> Observation<'static> {
        Observation {
            source: Cow::Owned(self.source.into_owned()),
            target: Cow::Owned(self.target.into_owned()),
            period: Cow::Owned(self.period.into_owned()),
            stance: self.stance,
            score: self.score,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dyad {
    pub source: String,
    pub target: String,
    pub period: String,
    pub conciliatory: usize,
    pub critical: usize,
    pub neutral: usize,
    pub total: usize,
    /// Mean of P(conciliatory) - P(critical) over the pair's quotes.
    pub score: f64,
}

/// Groups observations into dyads sorted by volume (largest first), then by
/// names and period so the order is stable. An uncertain stance is no
/// observation: it is passed over.
pub fn aggregate(observations: &[Observation]) -> Vec<Dyad> {
    let mut cells: BTreeMap<(&str, &str, &str), Dyad> = BTreeMap::new();
    for o in observations {
        if o.stance == Stance::Uncertain {
            continue;
        }
        let d = cells
            .entry((&o.source, &o.target, &o.period))
            .or_insert_with(|| Dyad {
                source: o.source.to_string(),
                target: o.target.to_string(),
                period: o.period.to_string(),
                conciliatory: 0,
                critical: 0,
                neutral: 0,
                total: 0,
                score: 0.0,
            });
        match o.stance {
            Stance::Conciliatory => d.conciliatory += 1,
            Stance::Critical => d.critical += 1,
            Stance::Neutral | Stance::Uncertain => d.neutral += 1,
        }
        d.total += 1;
        d.score += o.score;
    }
    let mut out: Vec<Dyad> = cells
        .into_values()
        .map(|mut d| {
            d.score /= d.total as f64;
            d
        })
        .collect();
    out.sort_by_key(|d| std::cmp::Reverse(d.total));
    out
}

pub fn to_markdown(dyads: &[Dyad]) -> String {
    let mut s = String::from("| source | target | period | conciliatory | critical | neutral | total | score |\n|---|---|---|---:|---:|---:|---:|---:|\n");
    for d in dyads {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {:+.2} |",
            d.source, d.target, d.period, d.conciliatory, d.critical, d.neutral, d.total, d.score
        );
    }
    s
}

pub fn to_csv(dyads: &[Dyad]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "source",
        "target",
        "period",
        "conciliatory",
        "critical",
        "neutral",
        "total",
        "score",
    ]);
    for d in dyads {
        let _ = w.write_record([
            d.source.clone(),
            d.target.clone(),
            d.period.clone(),
            d.conciliatory.to_string(),
            d.critical.to_string(),
            d.neutral.to_string(),
            d.total.to_string(),
            format!("{:.4}", d.score),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A heat map: sources as rows, targets as columns, colour = mean score
/// (red critical, grey neutral, green conciliatory), cell text = count.
/// Periods are pooled (weighted by count) so the map is one picture.
pub fn to_svg(dyads: &[Dyad], title: &str) -> String {
    let mut pooled: BTreeMap<(&str, &str), (usize, f64)> = BTreeMap::new();
    for d in dyads {
        let e = pooled.entry((&d.source, &d.target)).or_insert((0, 0.0));
        e.0 += d.total;
        e.1 += d.score * d.total as f64;
    }
    let mut sources: Vec<&str> = pooled.keys().map(|k| k.0).collect();
    let mut targets: Vec<&str> = pooled.keys().map(|k| k.1).collect();
    sources.sort();
    sources.dedup();
    targets.sort();
    targets.dedup();
    let cell = 56.0;
    let left = 190.0;
    let top = 170.0;
    let width = left + cell * targets.len() as f64 + 40.0;
    let height = top + cell * sources.len() as f64 + 80.0;
    let esc = crate::report::xml_escape;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="12" y="26" font-size="16" font-weight="bold">{}</text>"#,
        esc(title)
    );
    let _ = writeln!(
        s,
        r#"<text x="12" y="46" font-size="12">rows: speaker's party (source); columns: target; colour: mean P(conciliatory) - P(critical); number: quotes</text>"#
    );
    for (c, t) in targets.iter().enumerate() {
        let x = left + cell * (c as f64 + 0.5);
        let y = top - 10.0;
        let _ = writeln!(
            s,
            r#"<text x="{x}" y="{y}" font-size="12" transform="rotate(-45 {x} {y})">{}</text>"#,
            esc(t)
        );
    }
    for (r, src) in sources.iter().enumerate() {
        let y = top + cell * r as f64;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + cell / 2.0 + 4.0,
            esc(src)
        );
        for (c, t) in targets.iter().enumerate() {
            let x = left + cell * c as f64;
            match pooled.get(&(*src, *t)) {
                Some(&(n, sum)) => {
                    let score = (sum / n as f64).clamp(-1.0, 1.0);
                    let _ = writeln!(
                        s,
                        r##"<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{}" stroke="#999"><title>{} -> {}: {n} quotes, score {score:+.2}</title></rect>"##,
                        score_colour(score),
                        esc(src),
                        esc(t)
                    );
                    let _ = writeln!(
                        s,
                        r#"<text x="{}" y="{}" font-size="14" text-anchor="middle">{n}</text>"#,
                        x + cell / 2.0,
                        y + cell / 2.0 + 5.0
                    );
                }
                None => {
                    let _ = writeln!(
                        s,
                        r##"<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="#f4f4f4" stroke="#ddd"/>"##
                    );
                }
            }
        }
    }
    // Legend.
    let ly = height - 40.0;
    for (i, v) in [-1.0, -0.5, 0.0, 0.5, 1.0].iter().enumerate() {
        let x = left + i as f64 * 60.0;
        let _ = writeln!(
            s,
            r##"<rect x="{x}" y="{ly}" width="60" height="14" fill="{}" stroke="#999"/>"##,
            score_colour(*v)
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" font-size="11" text-anchor="middle">{v:+.1}</text>"#,
            x + 30.0,
            ly + 28.0
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Red (-1) through light grey (0) to green (+1); the HTML report's heat
/// map uses the same scale.
pub fn score_colour(score: f64) -> String {
    let grey = (235.0, 235.0, 235.0);
    let end = if score < 0.0 {
        (200.0, 40.0, 40.0)
    } else {
        (30.0, 150.0, 60.0)
    };
    let t = score.abs();
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(grey.0, end.0),
        mix(grey.1, end.1),
        mix(grey.2, end.2)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs<'a>(s: &'a str, t: &'a str, p: &'a str, stance: &str, score: f64) -> Observation<'a> {
        Observation {
            source: s.into(),
            target: t.into(),
            period: p.into(),
            stance: Stance::parse(stance).unwrap(),
            score,
        }
    }

    #[test]
    fn aggregates_counts_and_mean_score_by_pair_and_period() {
        let d = aggregate(&[
            obs("China", "Russia", "2025-04", "conciliatory", 0.8),
            obs("China", "Russia", "2025-04", "neutral", 0.1),
            obs("China", "Russia", "2025-05", "critical", -0.6),
            obs("NATO", "China", "2025-04", "critical", -0.9),
            obs("China", "Russia", "2025-04", "conciliatory", 0.6),
        ]);
        assert_eq!(d[0].source, "China");
        assert_eq!(
            (d[0].conciliatory, d[0].neutral, d[0].critical, d[0].total),
            (2, 1, 0, 3)
        );
        assert!((d[0].score - 0.5).abs() < 1e-12);
        assert_eq!(d.len(), 3);
        let md = to_markdown(&d);
        assert!(
            md.contains("| China | Russia | 2025-04 | 2 | 0 | 1 | 3 | +0.50 |"),
            "{md}"
        );
        assert!(to_csv(&d).starts_with("source,target,period"));
    }

    #[test]
    fn periods_come_from_iso_dates() {
        assert_eq!(Period::Month.of(Some("2025-04-01")), "2025-04");
        assert_eq!(Period::Day.of(Some("2025-04-01")), "2025-04-01");
        assert_eq!(Period::Month.of(None), "undated");
        assert_eq!(Period::None.of(Some("2025-04-01")), "all");
    }

    #[test]
    fn svg_is_well_formed_and_escapes_names() {
        let d = aggregate(&[obs("A&B", "C<D", "all", "critical", -1.0)]);
        let svg = to_svg(&d, "t");
        assert!(svg.contains("A&amp;B") && svg.contains("C&lt;D"));
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
