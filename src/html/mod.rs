//! `stancekit report`: one self-contained HTML page to send to a colleague.
//!
//! The page carries everything inline (CSS, SVG, a few lines of script that
//! open the quotes of a heat-map cell when it is clicked): no network, no
//! external assets, so it opens the same from a mail attachment as from a
//! web server. It shows what it is given: an evaluation report (tables and
//! confusion matrix) and/or the dyads of a `predict` run (a heat map of
//! speaker party against target party, a time line per dyad when the
//! dyads are grouped by period, and the quotes behind every cell). All text
//! is escaped with [`crate::report::xml_escape`]: quotes contain `<`, `&`
//! and control characters.

mod heatmap;

use crate::dyads::{score_colour, Dyad, Stance};
use crate::report::{xml_escape as esc, Report};
use std::collections::BTreeMap;
use std::fmt::Write;

/// One quote behind a dyad: what a reader needs to check the cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub article: String,
    pub date: Option<String>,
    pub speaker: Option<String>,
    pub text: String,
    /// How the target was mentioned, and where in `text` (a character
    /// range) when the mention lies inside the quote.
    pub mention: String,
    pub mention_at: Option<(usize, usize)>,
    pub stance: Stance,
    /// P(conciliatory) - P(critical).
    pub score: f64,
}

impl Evidence {
    /// The character range of `mention` in `text`: at `offset` (characters
    /// from the start of the quote, as the record's offsets give it) when
    /// the text there is the mention, else its first occurrence, else none
    /// (the target was named outside the quote, or the quote's pieces were
    /// joined and the offsets no longer line up).
    pub fn locate(text: &str, mention: &str, offset: Option<usize>) -> Option<(usize, usize)> {
        let len = mention.chars().count();
        if len == 0 {
            return None;
        }
        if let Some(at) = offset {
            if text.chars().skip(at).take(len).eq(mention.chars()) {
                return Some((at, at + len));
            }
        }
        let byte = text.find(mention)?;
        let at = text[..byte].chars().count();
        Some((at, at + len))
    }
}

/// The dyads of a `predict` run and the quotes behind them.
#[derive(Debug, Clone, Default)]
pub struct DyadData {
    /// Where the predictions came from (shown on the page).
    pub origin: String,
    /// One dyad per (source, target, period), as [`crate::dyads::aggregate`] gives.
    pub dyads: Vec<Dyad>,
    /// The quotes behind each (source, target) pair, in input order.
    pub evidence: BTreeMap<(String, String), Vec<Evidence>>,
    /// Whether the dyads are grouped by period (a time line per dyad).
    pub timed: bool,
    /// What was read and what was left out, one sentence each, so that the
    /// page says what its numbers rest on.
    pub notes: Vec<String>,
}

/// What the page shows.
pub struct Page<'a> {
    pub title: &'a str,
    /// An evaluation report and where it came from.
    pub eval: Option<(&'a str, &'a Report)>,
    pub dyads: Option<&'a DyadData>,
}

const STYLE: &str = "
body{font-family:system-ui,sans-serif;margin:24px 32px;color:#222;max-width:1500px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.d{white-space:nowrap}th{background:#f4f4f4}
.note{color:#555;font-size:13px}.swatch{display:inline-block;width:12px;height:12px;vertical-align:middle;border:1px solid #999}
mark.s{background:#dbe8ff}mark.t{background:#ffe08a}
details{border-bottom:1px solid #eee;padding:3px 0}details[open]{background:#fcfcfc}
summary{cursor:pointer}summary svg{vertical-align:middle;margin-right:4px}
.q{max-width:760px}.heat{overflow-x:auto}.heat a:hover rect{stroke:#000;stroke-width:1.5}
:target{outline:2px solid #4a7}
";

/// Opens a cell's quotes when its link is followed (and on load, for a
/// link from elsewhere).
const SCRIPT: &str = "function openHash(){var e=document.getElementById(location.hash.slice(1));\
if(e&&e.tagName==='DETAILS'){e.open=true;}}addEventListener('hashchange',openHash);openHash();";

/// The whole page.
pub fn render(page: &Page) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(page.title),
        esc(page.title)
    );
    if let Some((origin, report)) = page.eval {
        eval_section(&mut s, origin, report);
    }
    if let Some(d) = page.dyads {
        dyads_section(&mut s, d);
    }
    let _ = write!(
        s,
        "<p class=\"note\">Written by stancekit {}.</p>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    s
}

fn eval_section(s: &mut String, origin: &str, r: &Report) {
    let _ = write!(
        s,
        "<section id=\"eval\">\n<h2>Evaluation</h2>\n<p class=\"note\">From {}: {} rows.</p>\n\
         <table><tr><th>label</th><th>precision</th><th>recall</th><th>f1</th><th>support</th></tr>\n",
        esc(origin),
        r.n
    );
    for label in &r.confusion.labels {
        if let Some(c) = r.per_class.get(label) {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"n\">{:.3}</td><td class=\"n\">{:.3}</td><td class=\"n\">{:.3}</td><td class=\"n\">{}</td></tr>",
                esc(label),
                c.precision,
                c.recall,
                c.f1,
                c.support
            );
        }
    }
    let (m, w) = r.averages();
    let _ = writeln!(
        s,
        "<tr><th>accuracy</th><td></td><td></td><td class=\"n\">{:.3}</td><td class=\"n\">{}</td></tr>",
        r.accuracy, r.n
    );
    for (name, a) in [("macro avg", m), ("weighted avg", w)] {
        let _ = writeln!(
            s,
            "<tr><th>{name}</th><td class=\"n\">{:.3}</td><td class=\"n\">{:.3}</td><td class=\"n\">{:.3}</td><td class=\"n\">{}</td></tr>",
            a.precision, a.recall, a.f1, a.support
        );
    }
    s.push_str("</table>\n<h3>Confusion matrix</h3>\n<p class=\"note\">Rows: gold label; columns: predicted; shade: share of the gold row.</p>\n<table id=\"confusion\"><tr><th>gold \\ predicted</th>");
    for l in &r.confusion.labels {
        let _ = write!(s, "<th>{}</th>", esc(l));
    }
    s.push_str("</tr>\n");
    for (l, row) in r.confusion.labels.iter().zip(&r.confusion.matrix) {
        let total: usize = row.iter().sum();
        let _ = write!(s, "<tr><th>{}</th>", esc(l));
        for &v in row {
            let share = if total == 0 {
                0.0
            } else {
                v as f64 / total as f64
            };
            let colour = if share > 0.5 { "white" } else { "black" };
            let _ = write!(
                s,
                "<td class=\"n\" style=\"background:rgba(8,69,148,{share:.3});color:{colour}\">{v}</td>"
            );
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n</section>\n");
}

/// A (source, target) pair with its periods pooled: one heat-map cell.
pub(crate) struct Cell<'a> {
    pub source: &'a str,
    pub target: &'a str,
    pub conciliatory: usize,
    pub critical: usize,
    pub neutral: usize,
    pub total: usize,
    pub score: f64,
    /// Period -> (quotes, mean score).
    pub periods: BTreeMap<&'a str, (usize, f64)>,
}

/// Pools the periods of each pair, weighting scores by count; cells come
/// largest first, then by names, so cell `i` is the `i`-th quote list.
pub(crate) fn cells(dyads: &[Dyad]) -> Vec<Cell<'_>> {
    let mut pooled: BTreeMap<(&str, &str), Cell> = BTreeMap::new();
    for d in dyads {
        let c = pooled
            .entry((&d.source, &d.target))
            .or_insert_with(|| Cell {
                source: &d.source,
                target: &d.target,
                conciliatory: 0,
                critical: 0,
                neutral: 0,
                total: 0,
                score: 0.0,
                periods: BTreeMap::new(),
            });
        c.conciliatory += d.conciliatory;
        c.critical += d.critical;
        c.neutral += d.neutral;
        c.total += d.total;
        c.score += d.score * d.total as f64;
        c.periods.insert(&d.period, (d.total, d.score));
    }
    let mut out: Vec<Cell> = pooled
        .into_values()
        .map(|mut c| {
            c.score /= c.total.max(1) as f64;
            c
        })
        .collect();
    // Stable: pairs of equal volume stay in name order.
    out.sort_by_key(|c| std::cmp::Reverse(c.total));
    out
}

fn dyads_section(s: &mut String, d: &DyadData) {
    let cells = cells(&d.dyads);
    let _ = write!(
        s,
        "<section id=\"dyads\">\n<h2>Who stands where</h2>\n<p class=\"note\">From {}.</p>\n",
        esc(&d.origin)
    );
    for n in &d.notes {
        let _ = writeln!(s, "<p class=\"note\">{}</p>", esc(n));
    }
    if cells.is_empty() {
        s.push_str(
            "<p>No dyads: no attributed quote about another party was scored.</p>\n</section>\n",
        );
        return;
    }
    let (rows, cols) = heatmap::axes(&cells);
    let _ = write!(
        s,
        "<p class=\"note\">{} dyads between {} speaker parties (rows) and {} target parties (columns). \
         Rows and columns are ordered by volume (most quotes first; ties by name), so the busy \
         corner is top left. Colour: mean P(conciliatory) &#8722; P(critical), \
         {} critical, {} neutral, {} conciliatory; size: number of quotes. \
         Click a cell for its quotes.</p>\n<div class=\"heat\">\n{}</div>\n",
        cells.len(),
        rows.len(),
        cols.len(),
        swatch(-1.0),
        swatch(0.0),
        swatch(1.0),
        heatmap::svg(&cells, &rows, &cols)
    );
    let periods: Vec<&str> = if d.timed {
        let mut p: Vec<&str> = d.dyads.iter().map(|x| x.period.as_str()).collect();
        p.sort_unstable();
        p.dedup();
        p
    } else {
        Vec::new()
    };
    let _ = writeln!(
        s,
        "<h3>The quotes behind each cell</h3>\n<p class=\"note\">Largest first. <mark class=\"s\">Speaker</mark>, \
         <mark class=\"t\">target mention</mark>.{}</p>",
        if periods.is_empty() {
            String::new()
        } else {
            format!(
                " Time line per dyad: one bar per period from {} to {} (height: quotes, colour: mean score).",
                esc(periods[0]),
                esc(periods[periods.len() - 1])
            )
        }
    );
    for (i, c) in cells.iter().enumerate() {
        s.push_str(&format!("<details id=\"d-{i}\"><summary>"));
        // The time line first, so that those of all dyads line up.
        if !periods.is_empty() {
            s.push_str(&heatmap::sparkline(&periods, c));
            s.push(' ');
        }
        let _ = writeln!(
            s,
            "{} <b>{}</b> &#8594; <b>{}</b>: {} ({} conciliatory, {} critical, {} neutral), mean {:+.2}</summary>",
            swatch(c.score),
            esc(c.source),
            esc(c.target),
            quotes(c.total),
            c.conciliatory,
            c.critical,
            c.neutral,
            c.score
        );
        let key = (c.source.to_string(), c.target.to_string());
        quotes_table(s, d.evidence.get(&key).map_or(&[][..], Vec::as_slice));
        s.push_str("</details>\n");
    }
    s.push_str("</section>\n");
}

fn quotes(n: usize) -> String {
    if n == 1 {
        "1 quote".into()
    } else {
        format!("{n} quotes")
    }
}

fn swatch(score: f64) -> String {
    format!(
        "<span class=\"swatch\" style=\"background:{}\"></span>",
        score_colour(score.clamp(-1.0, 1.0))
    )
}

fn quotes_table(s: &mut String, quotes: &[Evidence]) {
    s.push_str("<table><tr><th>date</th><th>article</th><th>speaker</th><th>quote</th><th>about</th><th>stance</th><th>score</th></tr>\n");
    for q in quotes {
        let quote = match q.mention_at {
            Some((a, b)) => {
                let before: String = q.text.chars().take(a).collect();
                let mid: String = q.text.chars().skip(a).take(b - a).collect();
                let after: String = q.text.chars().skip(b).collect();
                format!(
                    "{}<mark class=\"t\">{}</mark>{}",
                    esc(&before),
                    esc(&mid),
                    esc(&after)
                )
            }
            None => esc(&q.text),
        };
        let _ = writeln!(
            s,
            "<tr><td class=\"d\">{}</td><td>{}</td><td><mark class=\"s\">{}</mark></td><td class=\"q\">{quote}</td>\
             <td><mark class=\"t\">{}</mark></td><td>{}</td><td class=\"n\">{:+.2}</td></tr>",
            esc(q.date.as_deref().unwrap_or("")),
            esc(&q.article),
            esc(q.speaker.as_deref().unwrap_or("(unnamed)")),
            esc(&q.mention),
            q.stance.as_str(),
            q.score
        );
    }
    s.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mention_is_found_at_its_offset_before_its_first_occurrence() {
        let t = "Russia and again Russia";
        assert_eq!(Evidence::locate(t, "Russia", Some(17)), Some((17, 23)));
        assert_eq!(Evidence::locate(t, "Russia", Some(3)), Some((0, 6)));
        assert_eq!(Evidence::locate("é Kyiv", "Kyiv", None), Some((2, 6)));
        assert_eq!(Evidence::locate(t, "Japan", Some(0)), None);
    }
}
