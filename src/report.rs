//! Evaluation reports: per-label precision, recall, F1 and support,
//! accuracy, macro and weighted averages, and the confusion matrix, as
//! Markdown (shaped like scikit-learn's classification_report), JSON and SVG.

use crate::data::Example;
use crate::model::Prediction;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Confusion {
    pub labels: Vec<String>,
    /// matrix[gold][predicted]
    pub matrix: Vec<Vec<usize>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub n: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub weighted_f1: f64,
    pub per_class: BTreeMap<String, ClassMetrics>,
    pub confusion: Confusion,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Report {
    /// Builds a report; a gold or predicted value outside `labels` is counted
    /// in `n` and as an error but appears in no row (callers reject unknown
    /// gold labels before this point).
    pub fn new(labels: &[String], gold: &[&str], pred: &[&str]) -> Report {
        let k = labels.len();
        let index = |l: &str| labels.iter().position(|x| x == l);
        let mut matrix = vec![vec![0usize; k]; k];
        let mut correct = 0;
        for (g, p) in gold.iter().zip(pred) {
            if g == p {
                correct += 1;
            }
            if let (Some(gi), Some(pi)) = (index(g), index(p)) {
                matrix[gi][pi] += 1;
            }
        }
        let n = gold.len();
        let mut per_class = BTreeMap::new();
        let (mut macro_f1, mut weighted_f1) = (0.0, 0.0);
        for (c, label) in labels.iter().enumerate() {
            let tp = matrix[c][c];
            let support: usize = matrix[c].iter().sum();
            let predicted: usize = matrix.iter().map(|r| r[c]).sum();
            let precision = ratio(tp, predicted);
            let recall = ratio(tp, support);
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            macro_f1 += f1 / k as f64;
            weighted_f1 += f1 * ratio(support, n);
            per_class.insert(
                label.clone(),
                ClassMetrics {
                    precision,
                    recall,
                    f1,
                    support,
                },
            );
        }
        Report {
            n,
            accuracy: ratio(correct, n),
            macro_f1,
            weighted_f1,
            per_class,
            confusion: Confusion {
                labels: labels.to_vec(),
                matrix,
            },
        }
    }

    /// The macro and the support-weighted averages over the labels.
    pub fn averages(&self) -> (ClassMetrics, ClassMetrics) {
        let k = self.per_class.len().max(1) as f64;
        let n = self.n.max(1) as f64;
        let mut m = ClassMetrics {
            precision: 0.0,
            recall: 0.0,
            f1: self.macro_f1,
            support: self.n,
        };
        let mut w = ClassMetrics {
            precision: 0.0,
            recall: 0.0,
            f1: self.weighted_f1,
            support: self.n,
        };
        for c in self.per_class.values() {
            m.precision += c.precision / k;
            m.recall += c.recall / k;
            w.precision += c.precision * c.support as f64 / n;
            w.recall += c.recall * c.support as f64 / n;
        }
        (m, w)
    }

    pub fn to_markdown(&self, title: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "### {title}\n");
        let _ = writeln!(s, "| label | precision | recall | f1 | support |");
        let _ = writeln!(s, "|---|---:|---:|---:|---:|");
        for label in &self.confusion.labels {
            let c = &self.per_class[label];
            let _ = writeln!(
                s,
                "| {label} | {:.3} | {:.3} | {:.3} | {} |",
                c.precision, c.recall, c.f1, c.support
            );
        }
        let (m, w) = self.averages();
        let _ = writeln!(
            s,
            "| **accuracy** | | | {:.3} | {} |",
            self.accuracy, self.n
        );
        let _ = writeln!(
            s,
            "| **macro avg** | {:.3} | {:.3} | {:.3} | {} |",
            m.precision, m.recall, m.f1, m.support
        );
        let _ = writeln!(
            s,
            "| **weighted avg** | {:.3} | {:.3} | {:.3} | {} |",
            w.precision, w.recall, w.f1, w.support
        );
        let _ = writeln!(s, "\nConfusion matrix (rows: gold, columns: predicted)\n");
        let _ = write!(s, "| gold \\ predicted |");
        for l in &self.confusion.labels {
            let _ = write!(s, " {l} |");
        }
        let _ = write!(s, "\n|---|");
        for _ in &self.confusion.labels {
            let _ = write!(s, "---:|");
        }
        s.push('\n');
        for (l, row) in self.confusion.labels.iter().zip(&self.confusion.matrix) {
            let _ = write!(s, "| **{l}** |");
            for v in row {
                let _ = write!(s, " {v} |");
            }
            s.push('\n');
        }
        s
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serialises")
    }

    /// The confusion matrix as an SVG heat map: gold labels as rows,
    /// predictions as columns, cell shade by the share of the gold row, counts
    /// written in each cell.
    pub fn to_svg(&self, title: &str) -> String {
        let labels = &self.confusion.labels;
        let k = labels.len();
        let cell = 90.0;
        let left = 150.0;
        let top = 90.0;
        // Wide enough for the grid and for the title at ~8 px a character.
        let width = (left + cell * k as f64 + 30.0).max(title.chars().count() as f64 * 8.0 + 40.0);
        let height = top + cell * k as f64 + 70.0;
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">"#
        );
        let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{}" y="24" font-size="15" text-anchor="middle" font-weight="bold">{}</text>"#,
            width / 2.0,
            xml_escape(title)
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="50" font-size="13" text-anchor="middle">predicted</text>"#,
            left + cell * k as f64 / 2.0
        );
        let mid_y = top + cell * k as f64 / 2.0;
        let _ = writeln!(
            s,
            r#"<text x="18" y="{mid_y}" font-size="13" text-anchor="middle" transform="rotate(-90 18 {mid_y})">gold</text>"#
        );
        for (c, l) in labels.iter().enumerate() {
            let x = left + cell * (c as f64 + 0.5);
            let _ = writeln!(
                s,
                r#"<text x="{x}" y="{}" font-size="12" text-anchor="middle">{}</text>"#,
                top - 10.0,
                xml_escape(l)
            );
            let y = top + cell * (c as f64 + 0.5) + 4.0;
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{y}" font-size="12" text-anchor="end">{}</text>"#,
                left - 8.0,
                xml_escape(l)
            );
        }
        for (r, row) in self.confusion.matrix.iter().enumerate() {
            let total: usize = row.iter().sum();
            for (c, &v) in row.iter().enumerate() {
                let share = ratio(v, total);
                // White to deep blue by row share; text flips to white on dark cells.
                let shade = |lo: f64, hi: f64| (lo + (hi - lo) * share).round() as u8;
                let fill = format!(
                    "#{:02x}{:02x}{:02x}",
                    shade(255.0, 8.0),
                    shade(255.0, 69.0),
                    shade(255.0, 148.0)
                );
                let text_fill = if share > 0.5 { "white" } else { "black" };
                let (x, y) = (left + cell * c as f64, top + cell * r as f64);
                let _ = writeln!(
                    s,
                    r##"<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" stroke="#888"/>"##
                );
                let _ = writeln!(
                    s,
                    r#"<text x="{}" y="{}" font-size="16" text-anchor="middle" fill="{text_fill}">{v}</text>"#,
                    x + cell / 2.0,
                    y + cell / 2.0 + 6.0
                );
            }
        }
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" font-size="12" text-anchor="middle">n = {}, accuracy {:.3}, macro-F1 {:.3}</text>"#,
            width / 2.0,
            height - 20.0,
            self.n,
            self.accuracy,
            self.macro_f1
        );
        s.push_str("</svg>\n");
        s
    }
}

/// A wrong prediction, for the report's list of the most confident
/// mistakes: often a mislabelled row, or a pattern the model has not seen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mistake {
    /// 1-based line (JSON Lines) or record line (CSV) in the data.
    pub line: usize,
    /// At most [`EXCERPT_CHARS`] characters around the target's mention.
    pub excerpt: String,
    pub target: String,
    pub gold: String,
    pub predicted: String,
    /// The probability the model gave its (wrong) label.
    pub p: f64,
}

/// Longest text excerpt in the list of mistakes, in characters.
pub const EXCERPT_CHARS: usize = 160;

/// The `n` wrong predictions the model was surest of, surest first (ties in
/// input order). `preds` pairs with `examples`.
pub fn most_confident_mistakes(
    examples: &[Example],
    preds: &[Prediction],
    n: usize,
) -> Vec<Mistake> {
    let mut wrong: Vec<Mistake> = examples
        .iter()
        .zip(preds)
        .filter_map(|(e, p)| {
            let gold = e.label.as_deref()?;
            (p.label != gold).then(|| Mistake {
                line: e.line,
                excerpt: excerpt(&e.text, e.span, EXCERPT_CHARS),
                target: e.target.clone(),
                gold: gold.to_string(),
                predicted: p.label.to_string(),
                p: p.probs
                    .iter()
                    .find(|(l, _)| *l == p.label.as_str())
                    .map_or(0.0, |(_, v)| *v),
            })
        })
        .collect();
    // A stable sort keeps input order among equal probabilities.
    wrong.sort_by(|a, b| b.p.total_cmp(&a.p));
    wrong.truncate(n);
    wrong
}

/// Up to `max` characters of `text` on one line, centred on the byte span
/// when one is given, with "…" where text was cut.
fn excerpt(text: &str, span: Option<(usize, usize)>, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let chars: Vec<char> = flat.chars().collect();
    if chars.len() <= max {
        return flat.trim().to_string();
    }
    // The span's position in characters (control characters are one
    // character each way, so the count is the same in `flat`).
    let centre = span
        .and_then(|(s, e)| {
            Some((text.get(..s)?.chars().count() + text.get(..e)?.chars().count()) / 2)
        })
        .unwrap_or(0);
    let start = centre.saturating_sub(max / 2).min(chars.len() - max);
    let body: String = chars[start..start + max].iter().collect();
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(body.trim());
    if start + max < chars.len() {
        out.push('…');
    }
    out
}

/// The mistakes as a Markdown section (after a report's tables).
pub fn mistakes_markdown(mistakes: &[Mistake]) -> String {
    let mut s = String::from("\nMost confident mistakes (the model's surest wrong answers)\n\n");
    if mistakes.is_empty() {
        s.push_str("None: every prediction is right.\n");
        return s;
    }
    let cell = |t: &str| t.replace('\\', "\\\\").replace('|', "\\|");
    let _ = writeln!(s, "| line | text | target | gold | predicted | p |");
    let _ = writeln!(s, "|---:|---|---|---|---|---:|");
    for m in mistakes {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {:.3} |",
            m.line,
            cell(&m.excerpt),
            cell(&m.target),
            cell(&m.gold),
            cell(&m.predicted),
            m.p
        );
    }
    s
}

/// Text made safe for XML (and HTML) content and attribute values: `&<>"'`
/// escaped, and the characters XML 1.0 does not allow at all (controls
/// U+0000-U+001F other than tab, newline and carriage return, and the
/// non-characters U+FFFE and U+FFFF) replaced by U+FFFD, so that a party,
/// label or quote with a stray control character cannot make a picture an
/// unreadable file. Replaced rather than dropped: the reader sees that
/// something was there.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Mean and (population) standard deviation, for cross-validation summaries.
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_match_hand_computed_values() {
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        // gold a a a b b c ; pred a a b b c c
        let gold = ["a", "a", "a", "b", "b", "c"];
        let pred = ["a", "a", "b", "b", "c", "c"];
        let r = Report::new(&labels, &gold, &pred);
        assert_eq!(r.n, 6);
        assert!((r.accuracy - 4.0 / 6.0).abs() < 1e-12);
        let a = &r.per_class["a"];
        assert_eq!((a.precision, a.recall, a.support), (1.0, 2.0 / 3.0, 3));
        assert!((a.f1 - 0.8).abs() < 1e-12);
        let b = &r.per_class["b"];
        assert_eq!((b.precision, b.recall), (0.5, 0.5));
        let c = &r.per_class["c"];
        assert_eq!((c.precision, c.recall), (0.5, 1.0));
        assert!((c.f1 - 2.0 / 3.0).abs() < 1e-12);
        let macro_f1 = (0.8 + 0.5 + 2.0 / 3.0) / 3.0;
        assert!((r.macro_f1 - macro_f1).abs() < 1e-12);
        let weighted = (0.8 * 3.0 + 0.5 * 2.0 + 2.0 / 3.0) / 6.0;
        assert!((r.weighted_f1 - weighted).abs() < 1e-12);
        assert_eq!(
            r.confusion.matrix,
            vec![vec![2, 1, 0], vec![0, 1, 1], vec![0, 0, 1]]
        );
    }

    #[test]
    fn label_never_predicted_has_zero_precision_not_nan() {
        let labels: Vec<String> = ["x", "y"].iter().map(|s| s.to_string()).collect();
        let r = Report::new(&labels, &["x", "y"], &["x", "x"]);
        assert_eq!(r.per_class["y"].precision, 0.0);
        assert_eq!(r.per_class["y"].f1, 0.0);
        assert!(r.to_json().contains("\"macro_f1\""));
    }

    fn example(line: usize, text: &str, label: &str) -> Example {
        Example {
            id: None,
            text: text.into(),
            target: "Russia".into(),
            span: text.find("Russia").map(|s| (s, s + 6)),
            label: Some(label.into()),
            speaker: None,
            speaker_party: None,
            sentiment: None,
            source: None,
            date: None,
            extra: BTreeMap::new(),
            line,
        }
    }

    fn pred(label: &'static str, p: f64) -> Prediction<'static> {
        Prediction {
            label: crate::label::Label(label),
            probs: vec![(label, p), ("other", 1.0 - p)],
        }
    }

    #[test]
    fn the_surest_mistakes_come_first_and_right_answers_are_left_out() {
        let examples = [
            example(2, "We condemn Russia | again", "critical"),
            example(3, "Russia is a friend", "conciliatory"),
            example(4, "Russia said so", "neutral"),
            example(5, "Talks with Russia", "neutral"),
        ];
        let preds = [
            pred("conciliatory", 0.6),
            pred("conciliatory", 0.99),
            pred("critical", 0.9),
            pred("critical", 0.6),
        ];
        let m = most_confident_mistakes(&examples, &preds, 10);
        let lines: Vec<usize> = m.iter().map(|m| m.line).collect();
        assert_eq!(lines, [4, 2, 5]);
        assert_eq!(most_confident_mistakes(&examples, &preds, 1).len(), 1);
        let md = mistakes_markdown(&m);
        assert!(
            md.contains("| 4 | Russia said so | Russia | neutral | critical | 0.900 |"),
            "{md}"
        );
        assert!(md.contains("We condemn Russia \\| again"), "{md}");
        assert!(mistakes_markdown(&[]).contains("None"));
    }

    #[test]
    fn a_long_text_is_cut_around_the_target() {
        let text = format!("{} Russia {}\nend", "a".repeat(300), "b".repeat(300));
        let span = text.find("Russia").map(|s| (s, s + 6));
        let e = excerpt(&text, span, 40);
        assert!(e.starts_with('…') && e.ends_with('…'), "{e}");
        assert!(e.contains("Russia"), "{e}");
        assert_eq!(e.chars().count(), 42, "{e}");
        assert_eq!(excerpt("short\ntext", None, 40), "short text");
    }

    #[test]
    fn markdown_and_svg_name_every_label() {
        let labels: Vec<String> = ["critical", "neutral"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let r = Report::new(&labels, &["critical", "neutral"], &["critical", "critical"]);
        let md = r.to_markdown("t");
        assert!(
            md.contains("| critical | 0.500 | 1.000 | 0.667 | 1 |"),
            "{md}"
        );
        assert!(md.contains("| **neutral** | 1 | 0 |"), "{md}");
        let svg = r.to_svg("a <b>");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(
            svg.contains("a &lt;b&gt;") && svg.contains(">gold<") && svg.contains(">predicted<")
        );
    }
}
