//! Which (quote, target) pairs to label next, from `stancekit predict`
//! output: the ones the model is least sure of, spread over articles,
//! speakers and target parties, with no two alike.
//!
//! Uncertainty is the *margin*: the probability of the most likely label
//! minus that of the runner-up, smallest first. The margin is what decides
//! the predicted label, so a small one marks a pair on the model's decision
//! boundary, where one label moves the boundary most. Entropy also counts
//! how the losing labels share the rest, which with three labels ranks a
//! (0.5, 0.5, 0.0) pair, a coin toss between two labels, below a
//! (0.6, 0.2, 0.2) one the model has in fact decided.
//!
//! Two pairs are alike (and only the less certain is kept) when they have
//! the same target and the same text after [`crate::lint::normalize`], or
//! when their texts differ but are near-duplicates as `stancekit lint`
//! measures them (word 3-shingle Jaccard at or above the threshold): the
//! picked file then passes lint without near-duplicate warnings. Labelling
//! one quote toward two different targets is two questions, as in the
//! labelled corpus, so that is allowed.

use crate::error::{Error, Result};
use crate::lint::{near_duplicates, normalize};
use crate::predict::{ArticlePrediction, Probs};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::BufRead;

/// One (quote, target) pair from a predict record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// `article#quote:target`, unique within one predictions file.
    pub id: String,
    pub article: String,
    pub date: Option<String>,
    pub text: String,
    pub target: String,
    /// Character offsets (end exclusive) of the target's mention in `text`,
    /// when the quote names it there.
    pub span: Option<(usize, usize)>,
    pub speaker: Option<String>,
    pub speaker_party: Option<String>,
    /// The stance predict reported (may be "uncertain").
    pub predicted: Option<String>,
    /// P(most likely label) - P(runner-up), in [0, 1].
    pub margin: f64,
    /// 1-based line of the record in the predictions file.
    pub line: usize,
}

/// What was read from a predictions file.
#[derive(Debug, Default)]
pub struct Read {
    pub candidates: Vec<Candidate>,
    /// Articles read (records without an `"error"`).
    pub articles: usize,
    /// Records that were not used, with the reason (file:line).
    pub skipped: Vec<Error>,
}

/// Reads `stancekit predict` JSON Lines ([`ArticlePrediction`] records,
/// as `stancekit dyads` does). A line that is not such a record is an error
/// naming `origin:line`, or with `skip_invalid` a skipped record; a record
/// with `"error"` (an article predict could not read) is always skipped
/// with its reason.
pub fn read_predictions<R: BufRead>(
    mut reader: R,
    origin: &str,
    skip_invalid: bool,
) -> Result<Read> {
    let mut read = Read::default();
    let mut buf = Vec::new();
    for line_no in 1.. {
        buf.clear();
        if reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(origin, e))?
            == 0
        {
            break;
        }
        let line = match std::str::from_utf8(&buf) {
            Ok(l) => l.trim_start_matches('\u{feff}').trim(),
            Err(e) => {
                let err = Error::record(origin, line_no, format!("not UTF-8: {e}"));
                if !skip_invalid {
                    return Err(err);
                }
                read.skipped.push(err);
                continue;
            }
        };
        if line.is_empty() {
            continue;
        }
        let problem = match serde_json::from_str::<ArticlePrediction>(line) {
            Err(e) if e.is_data() => format!("not a `stancekit predict` record: {e}"),
            Err(e) => format!("invalid JSON: {e}"),
            Ok(record) => {
                if let Some(why) = &record.error {
                    read.skipped.push(Error::record(
                        origin,
                        line_no,
                        format!("article {} has an error: {why}", record.article),
                    ));
                    continue;
                }
                read.articles += 1;
                match candidates_of(&record, line_no) {
                    Ok(c) => {
                        read.candidates.extend(c);
                        continue;
                    }
                    Err(message) => message,
                }
            }
        };
        let err = Error::record(origin, line_no, problem);
        if !skip_invalid {
            return Err(err);
        }
        read.skipped.push(err);
    }
    Ok(read)
}

fn candidates_of(
    record: &ArticlePrediction,
    line: usize,
) -> std::result::Result<Vec<Candidate>, String> {
    let mut out = Vec::new();
    for (qi, q) in record.quotes.iter().enumerate() {
        // Nothing to label, and a row train would refuse.
        if q.text.trim().is_empty() {
            continue;
        }
        for t in &q.targets {
            let margin = margin(&t.scored.probs).ok_or_else(|| {
                format!(
                    "quote {} toward {}: probabilities must be numbers in [0, 1]",
                    qi + 1,
                    t.party
                )
            })?;
            out.push(Candidate {
                id: format!("{}#{}:{}", record.article, qi + 1, t.party),
                article: record.article.clone(),
                date: record.date.clone(),
                text: q.text.clone(),
                target: t.party.clone(),
                span: span_in_quote(&q.text, q.start, q.end, &t.mention, t.start, t.end),
                speaker: q.speaker.clone(),
                speaker_party: q.speaker_party.clone(),
                predicted: Some(t.scored.stance.as_str().to_string()),
                margin,
                line,
            });
        }
    }
    Ok(out)
}

/// Top probability minus the second; None when there is none or a value is
/// not in [0, 1].
fn margin(probs: &Probs) -> Option<f64> {
    let (mut first, mut second) = (0.0f64, 0.0f64);
    for &(_, p) in &probs.0 {
        if !(0.0..=1.0).contains(&p) {
            return None;
        }
        if p > first {
            second = first;
            first = p;
        } else if p > second {
            second = p;
        }
    }
    (!probs.0.is_empty()).then_some(first - second)
}

/// The target mention's character span inside the quote's text: predict
/// gives both in the article's characters. Only a span whose characters
/// are the mention is kept; otherwise the loader looks the target's name
/// up in the text, as for any row without a span.
fn span_in_quote(
    text: &str,
    q_start: usize,
    q_end: usize,
    mention: &str,
    t_start: usize,
    t_end: usize,
) -> Option<(usize, usize)> {
    if t_start < q_start || t_end > q_end || t_start >= t_end {
        return None;
    }
    let (s, e) = (t_start - q_start, t_end - q_start);
    let inside: String = text.chars().skip(s).take(e - s).collect();
    (inside.chars().count() == e - s && inside == mention).then_some((s, e))
}

/// How many pairs to pick and how to spread them.
#[derive(Debug, Clone)]
pub struct Config {
    pub n: usize,
    pub max_per_article: usize,
    /// A quote with no speaker counts toward no speaker's cap.
    pub max_per_speaker: usize,
    /// Per target party.
    pub max_per_party: usize,
    /// Word 3-shingle Jaccard from which two texts are near-duplicates.
    pub near_duplicate_threshold: f64,
}

/// The pairs picked, as indices into the candidates, least certain first,
/// and why the others before the last pick were passed over.
#[derive(Debug, Default, PartialEq)]
pub struct Selection {
    pub picked: Vec<usize>,
    pub duplicates: usize,
    pub near_duplicates: usize,
    pub over_article_cap: usize,
    pub over_speaker_cap: usize,
    pub over_party_cap: usize,
}

/// Picks up to `cfg.n` candidates: by margin, smallest first (ties in input
/// order, so the same input always gives the same pick), each kept unless
/// it is alike a pair already picked or its article, speaker or target
/// party has reached its cap.
pub fn select(cands: &[Candidate], cfg: &Config) -> Selection {
    let mut order: Vec<usize> = (0..cands.len()).collect();
    order.sort_by(|&a, &b| cands[a].margin.total_cmp(&cands[b].margin).then(a.cmp(&b)));
    let keys: Vec<String> = cands
        .iter()
        .map(|c| {
            let n = normalize(&c.text);
            if n.is_empty() {
                c.text.trim().to_string()
            } else {
                n
            }
        })
        .collect();
    // Near-duplicate neighbours per distinct key (keys that normalise to
    // nothing have no words and are never near-duplicates).
    let mut distinct: Vec<&str> = Vec::new();
    let mut seen = HashSet::new();
    for k in &keys {
        if seen.insert(k.as_str()) && !normalize(k).is_empty() {
            distinct.push(k);
        }
    }
    let mut neighbours: HashMap<&str, Vec<&str>> = HashMap::new();
    for pair in near_duplicates(&distinct, cfg.near_duplicate_threshold) {
        let (a, b) = (distinct[pair.first], distinct[pair.second]);
        neighbours.entry(a).or_default().push(b);
        neighbours.entry(b).or_default().push(a);
    }
    let mut sel = Selection::default();
    // Per key taken: the text first picked with it (another spelling of the
    // same normalised text is a near-duplicate to lint).
    let mut taken_text: HashMap<&str, &str> = HashMap::new();
    let mut taken_pair: HashSet<(&str, String)> = HashSet::new();
    let mut per_article: HashMap<&str, usize> = HashMap::new();
    let mut per_speaker: HashMap<&str, usize> = HashMap::new();
    let mut per_party: HashMap<String, usize> = HashMap::new();
    for i in order {
        if sel.picked.len() >= cfg.n {
            break;
        }
        let c = &cands[i];
        let key = keys[i].as_str();
        let target = c.target.to_lowercase();
        if taken_pair.contains(&(key, target.clone())) {
            sel.duplicates += 1;
            continue;
        }
        let other_spelling = taken_text.get(key).is_some_and(|t| *t != c.text);
        let near = neighbours
            .get(key)
            .is_some_and(|ns| ns.iter().any(|n| taken_text.contains_key(n)));
        if other_spelling || near {
            sel.near_duplicates += 1;
            continue;
        }
        let count = |m: &HashMap<&str, usize>, k: &str| m.get(k).copied().unwrap_or(0);
        if count(&per_article, &c.article) >= cfg.max_per_article {
            sel.over_article_cap += 1;
            continue;
        }
        let speaker = c.speaker.as_deref().filter(|s| !s.trim().is_empty());
        if speaker.is_some_and(|s| count(&per_speaker, s) >= cfg.max_per_speaker) {
            sel.over_speaker_cap += 1;
            continue;
        }
        if per_party.get(&target).copied().unwrap_or(0) >= cfg.max_per_party {
            sel.over_party_cap += 1;
            continue;
        }
        *per_article.entry(&c.article).or_default() += 1;
        if let Some(s) = speaker {
            *per_speaker.entry(s).or_default() += 1;
        }
        *per_party.entry(target.clone()).or_default() += 1;
        taken_text.entry(key).or_insert(&c.text);
        taken_pair.insert((key, target));
        sel.picked.push(i);
    }
    sel
}

/// The CSV columns, in order: what `train` and `lint` read (`id`, `text`,
/// `target`, `label`, `target_start`, `target_end`, `speaker`,
/// `speaker_party`, `date`) and, passed through by them, `article` and
/// `margin`. The model's own guess is left out so that it does not steer
/// the person labelling.
pub const CSV_COLUMNS: [&str; 11] = [
    "id",
    "text",
    "target",
    "label",
    "speaker",
    "speaker_party",
    "article",
    "date",
    "target_start",
    "target_end",
    "margin",
];

/// The picked pairs as CSV with an empty `label` column to fill in.
pub fn to_csv(picked: &[&Candidate]) -> Result<String> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let csv_err = |e: csv::Error| Error::Config(format!("cannot write CSV: {e}"));
    w.write_record(CSV_COLUMNS).map_err(csv_err)?;
    for c in picked {
        let (s, e) = c.span.map_or((String::new(), String::new()), |(s, e)| {
            (s.to_string(), e.to_string())
        });
        w.write_record([
            c.id.as_str(),
            &c.text,
            &c.target,
            "",
            c.speaker.as_deref().unwrap_or(""),
            c.speaker_party.as_deref().unwrap_or(""),
            &c.article,
            c.date.as_deref().unwrap_or(""),
            &s,
            &e,
            &format!("{:.4}", c.margin),
        ])
        .map_err(csv_err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Config(format!("cannot write CSV: {e}")))?;
    Ok(String::from_utf8(bytes).expect("CSV of strings is UTF-8"))
}

/// The picked pairs as Label Studio tasks (a JSON array to import): each
/// task's `data` holds the CSV's fields, so a labelling config can show
/// `$text`, `$target` and `$speaker`.
pub fn to_label_studio(picked: &[&Candidate]) -> String {
    let tasks: Vec<serde_json::Value> = picked
        .iter()
        .map(|c| {
            serde_json::json!({"data": {
                "id": c.id, "text": c.text, "target": c.target,
                "speaker": c.speaker, "speaker_party": c.speaker_party,
                "article": c.article, "date": c.date,
                "target_start": c.span.map(|s| s.0), "target_end": c.span.map(|s| s.1),
                "margin": (c.margin * 1e4).round() / 1e4,
            }})
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&tasks).expect("tasks serialise");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(article: &str, text: &str, target: &str, speaker: &str, margin: f64) -> Candidate {
        Candidate {
            id: format!("{article}#{text}:{target}"),
            article: article.into(),
            date: None,
            text: text.into(),
            target: target.into(),
            span: None,
            speaker: Some(speaker.into()),
            speaker_party: None,
            predicted: None,
            margin,
            line: 1,
        }
    }

    fn cfg(n: usize) -> Config {
        Config {
            n,
            max_per_article: 10,
            max_per_speaker: 10,
            max_per_party: 10,
            near_duplicate_threshold: 0.8,
        }
    }

    #[test]
    fn the_margin_is_the_top_probability_less_the_runner_up() {
        let p = Probs(vec![("a", 0.3), ("b", 0.5), ("c", 0.2)]);
        assert!((margin(&p).unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(margin(&Probs(vec![("a", 1.5)])), None);
        assert_eq!(margin(&Probs(vec![("a", f64::NAN)])), None);
        assert_eq!(margin(&Probs(vec![])), None);
    }

    #[test]
    fn the_least_certain_come_first_and_ties_keep_input_order() {
        let c = vec![
            cand(
                "a1",
                "We welcome the talks with Japan today",
                "Japan",
                "X",
                0.5,
            ),
            cand(
                "a2",
                "Russia must stop the strikes at once",
                "Russia",
                "Y",
                0.1,
            ),
            cand(
                "a3",
                "China has been a steady partner for years",
                "China",
                "Z",
                0.5,
            ),
        ];
        assert_eq!(select(&c, &cfg(3)).picked, vec![1, 0, 2]);
        assert_eq!(select(&c, &cfg(1)).picked, vec![1]);
    }

    #[test]
    fn the_same_quote_toward_the_same_target_is_picked_once_but_another_target_is_a_new_question() {
        let c = vec![
            cand(
                "a1",
                "Japan and Korea must work together",
                "Japan",
                "X",
                0.1,
            ),
            cand(
                "a2",
                "Japan and Korea must work together!",
                "Japan",
                "Y",
                0.2,
            ),
            cand(
                "a3",
                "Japan and Korea must work together!",
                "South Korea",
                "Z",
                0.25,
            ),
            cand(
                "a1",
                "Japan and Korea must work together",
                "South Korea",
                "X",
                0.3,
            ),
        ];
        let s = select(&c, &cfg(5));
        assert_eq!(s.picked, vec![0, 3]);
        // The same normalised text and target; another spelling of a picked
        // text (which lint would warn about) toward another target.
        assert_eq!((s.duplicates, s.near_duplicates), (1, 1));
    }

    #[test]
    fn near_duplicate_texts_are_kept_out_whatever_their_target() {
        let c = vec![
            cand(
                "a1",
                "the two neighbours must not let disputes over history derail cooperation on trade",
                "Japan",
                "X",
                0.1,
            ),
            cand(
                "a2",
                "the two neighbours must not let disputes over history derail cooperation on trade and security",
                "Korea",
                "Y",
                0.2,
            ),
        ];
        let s = select(&c, &cfg(5));
        assert_eq!(s.picked, vec![0]);
        assert_eq!(s.near_duplicates, 1);
    }

    #[test]
    fn caps_spread_the_pick_over_articles_speakers_and_parties() {
        let texts = [
            "one quote about the matter",
            "another statement entirely different",
            "a third remark on something else",
            "fourth words that share nothing",
        ];
        let same_article: Vec<_> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| cand("a", t, &format!("P{i}"), &format!("S{i}"), i as f64 / 10.0))
            .collect();
        let s = select(
            &same_article,
            &Config {
                max_per_article: 2,
                ..cfg(4)
            },
        );
        assert_eq!((s.picked.len(), s.over_article_cap), (2, 2));
        let same_speaker: Vec<_> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| cand(&format!("a{i}"), t, &format!("P{i}"), "S", 0.0))
            .collect();
        let s = select(
            &same_speaker,
            &Config {
                max_per_speaker: 3,
                ..cfg(4)
            },
        );
        assert_eq!((s.picked.len(), s.over_speaker_cap), (3, 1));
        let same_party: Vec<_> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| cand(&format!("a{i}"), t, "Russia", &format!("S{i}"), 0.0))
            .collect();
        let s = select(
            &same_party,
            &Config {
                max_per_party: 1,
                ..cfg(4)
            },
        );
        assert_eq!((s.picked, s.over_party_cap), (vec![0], 3));
    }

    #[test]
    fn a_span_is_kept_only_where_the_quote_holds_the_mention() {
        let text = "Ties with Tokyo are good";
        let span = |s, e| span_in_quote(text, 100, 124, "Tokyo", s, e);
        assert_eq!(span(110, 115), Some((10, 15)));
        assert_eq!(span(111, 116), None);
        assert_eq!(span(90, 95), None);
    }

    #[test]
    fn a_line_that_is_not_a_record_names_its_line_and_error_records_are_skipped() {
        let data = "{\"article\":\"a\",\"date\":null,\"quotes\":[],\"dyads\":[]}\n{\"article\":\"b\",\"date\":null,\"quotes\":[],\"dyads\":[],\"error\":\"cannot read\"}\nnot json\n";
        let err = read_predictions(data.as_bytes(), "p.jsonl", false).unwrap_err();
        assert!(
            err.to_string().starts_with("p.jsonl:3: invalid JSON"),
            "{err}"
        );
        let r = read_predictions(data.as_bytes(), "p.jsonl", true).unwrap();
        assert_eq!(r.articles, 1);
        let msgs: Vec<String> = r.skipped.iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs[0], "p.jsonl:2: article b has an error: cannot read");
        assert!(msgs[1].starts_with("p.jsonl:3:"), "{msgs:?}");
        let err = read_predictions(&b"\n\xff\xfe\n"[..], "p.jsonl", false).unwrap_err();
        assert!(err.to_string().starts_with("p.jsonl:2: not UTF-8"), "{err}");
    }
}
