//! The report's heat map (speaker party x target party) and the time line
//! of one dyad, as inline SVG.
//!
//! Readable with 100+ parties: rows and columns are ordered by volume, so
//! the few busy parties gather top left and the long tail of rare ones
//! thins out toward the edges (alphabetical order would scatter the busy
//! cells across the grid); the cell size shrinks with the number of
//! parties (down to 9 px), long names are cut with a full-name tooltip,
//! empty cells draw nothing but faint grid lines, and a cell's count is
//! written in it only when there is room.

use super::Cell;
use crate::dyads::score_colour;
use crate::report::xml_escape as esc;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Longest party name drawn in full on an axis.
const MAX_LABEL: usize = 26;

/// Row (speaker party) and column (target party) orders: most quotes
/// first, ties by name.
pub(super) fn axes<'a>(cells: &[Cell<'a>]) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut rows: BTreeMap<&str, usize> = BTreeMap::new();
    let mut cols: BTreeMap<&str, usize> = BTreeMap::new();
    for c in cells {
        *rows.entry(c.source).or_default() += c.total;
        *cols.entry(c.target).or_default() += c.total;
    }
    let order = |m: BTreeMap<&'a str, usize>| {
        let mut v: Vec<(&'a str, usize)> = m.into_iter().collect();
        v.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
        v.into_iter().map(|(name, _)| name).collect::<Vec<_>>()
    };
    (order(rows), order(cols))
}

fn label(name: &str) -> String {
    if name.chars().count() <= MAX_LABEL {
        name.to_string()
    } else {
        let cut: String = name.chars().take(MAX_LABEL - 1).collect();
        format!("{cut}\u{2026}")
    }
}

fn longest(names: &[&str]) -> usize {
    names
        .iter()
        .map(|n| n.chars().count().min(MAX_LABEL))
        .max()
        .unwrap_or(1)
}

/// The heat map; cell `i` of `cells` links to the quotes `#d-i`.
pub(super) fn svg(cells: &[Cell], rows: &[&str], cols: &[&str]) -> String {
    let n = rows.len().max(cols.len()).max(1) as f64;
    let cell = (960.0 / n).clamp(9.0, 40.0).floor();
    let font = (cell * 0.8).clamp(8.0, 13.0);
    // About 0.6 em a character in a sans-serif face.
    let left = 10.0 + longest(rows) as f64 * font * 0.6;
    let top = 10.0 + longest(cols) as f64 * font * 0.6;
    let (w, h) = (cell * cols.len() as f64, cell * rows.len() as f64);
    let (width, height) = (left + w + 10.0, top + h + 10.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" role="img" aria-label="heat map of dyads">"#
    );
    let _ = writeln!(
        s,
        r##"<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="#fafafa" stroke="#ccc"/>"##
    );
    // Grid lines: one path, not one element per empty cell (14,400 of
    // them with 120 parties).
    let mut grid = String::new();
    for r in 1..rows.len() {
        let y = top + cell * r as f64;
        let _ = write!(grid, "M{left} {y}h{w}");
    }
    for c in 1..cols.len() {
        let x = left + cell * c as f64;
        let _ = write!(grid, "M{x} {top}v{h}");
    }
    if !grid.is_empty() {
        let _ = writeln!(
            s,
            r##"<path d="{grid}" stroke="#ececec" stroke-width="1" fill="none"/>"##
        );
    }
    for (r, name) in rows.iter().enumerate() {
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" font-size="{font}" text-anchor="end" dominant-baseline="middle"><title>{}</title>{}</text>"#,
            left - 4.0,
            top + cell * (r as f64 + 0.5),
            esc(name),
            esc(&label(name))
        );
    }
    for (c, name) in cols.iter().enumerate() {
        let (x, y) = (left + cell * (c as f64 + 0.5), top - 4.0);
        let _ = writeln!(
            s,
            r#"<text x="{x}" y="{y}" font-size="{font}" dominant-baseline="middle" transform="rotate(-90 {x} {y})"><title>{}</title>{}</text>"#,
            esc(name),
            esc(&label(name))
        );
    }
    let row_at: BTreeMap<&str, usize> = rows.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let col_at: BTreeMap<&str, usize> = cols.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let max = cells.iter().map(|c| c.total).max().unwrap_or(1).max(1) as f64;
    for (i, c) in cells.iter().enumerate() {
        let (Some(&r), Some(&k)) = (row_at.get(c.source), col_at.get(c.target)) else {
            continue;
        };
        // Area grows with volume; the smallest cell stays visible.
        let side = cell * (0.35 + 0.65 * (c.total as f64 / max).sqrt());
        let x = left + cell * k as f64 + (cell - side) / 2.0;
        let y = top + cell * r as f64 + (cell - side) / 2.0;
        let _ = write!(
            s,
            r##"<a href="#d-{i}"><rect x="{x:.1}" y="{y:.1}" width="{side:.1}" height="{side:.1}" fill="{}" stroke="#777" stroke-width="0.5"><title>{} &#8594; {}: {} ({} conciliatory, {} critical, {} neutral), mean {:+.2}</title></rect>"##,
            score_colour(c.score.clamp(-1.0, 1.0)),
            esc(c.source),
            esc(c.target),
            super::quotes(c.total),
            c.conciliatory,
            c.critical,
            c.neutral,
            c.score
        );
        if cell >= 22.0 {
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" font-size="{}" text-anchor="middle" dominant-baseline="central" pointer-events="none">{}</text>"#,
                left + cell * (k as f64 + 0.5),
                top + cell * (r as f64 + 0.5),
                (cell * 0.38).min(13.0),
                c.total
            );
        }
        s.push_str("</a>\n");
    }
    s.push_str("</svg>\n");
    s
}

/// One dyad over time: a bar per period of `periods` (all the run's, so
/// that the time lines of different dyads line up), height by the dyad's
/// quotes in the period, colour by their mean score; a faint tick where
/// it has none.
pub(super) fn sparkline(periods: &[&str], c: &Cell) -> String {
    let bar = (240.0 / periods.len().max(1) as f64).clamp(2.0, 10.0);
    let (width, height) = (bar * periods.len() as f64, 22.0);
    let max = c.periods.values().map(|p| p.0).max().unwrap_or(1).max(1) as f64;
    let mut s = format!(
        r#"<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="quotes per period">"#
    );
    for (i, p) in periods.iter().enumerate() {
        let x = bar * i as f64;
        match c.periods.get(p) {
            Some(&(n, score)) => {
                let h = 3.0 + (height - 3.0) * n as f64 / max;
                let _ = write!(
                    s,
                    r##"<rect x="{x}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{}" stroke="#777" stroke-width="0.4"><title>{}: {}, mean {score:+.2}</title></rect>"##,
                    height - h,
                    (bar - 1.0).max(1.0),
                    score_colour(score.clamp(-1.0, 1.0)),
                    esc(p),
                    super::quotes(n)
                );
            }
            None => {
                let _ = write!(
                    s,
                    r##"<rect x="{x}" y="{}" width="{:.1}" height="1" fill="#ccc"><title>{}: none</title></rect>"##,
                    height - 1.0,
                    (bar - 1.0).max(1.0),
                    esc(p)
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}
