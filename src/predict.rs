//! The whole pipeline on one article: quotes, speakers and parties from the
//! extraction stage, then the quote's sentiment and the stance toward each
//! party it is about, and the article's (speaker party -> target) dyads.

use crate::article::Article;
use crate::dyads::{self, Observation};
use crate::features::Doc;
use crate::json::{self, NanIfNull};
use crate::label::Label;
use crate::model::{Prediction, StanceModel};
use crate::parties::PartyDict;
use crate::quotes::{self, ArticleQuotes, Quote, QuoteKind, Target};
use crate::sentences;
use crate::text::{block_has, find_byte};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

pub use crate::dyads::Stance;

/// Label -> probability, serialised as a JSON object in the model's order.
/// Labels (here and in the records below) are the model's strings,
/// borrowed for as long as the model lives rather than copied per statement;
/// read back, they borrow from the line read (so a label must not need
/// escaping in JSON, which no label a model was trained with has needed).
#[derive(Debug, Clone, PartialEq)]
pub struct Probs<'m>(pub Vec<(&'m str, f64)>);

impl Serialize for Probs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (label, p) in &self.0 {
            m.serialize_entry(label, p)?;
        }
        m.end()
    }
}

impl<'de: 'm, 'm> Deserialize<'de> for Probs<'m> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries<'m>(std::marker::PhantomData<&'m ()>);
        impl<'de: 'm, 'm> Visitor<'de> for Entries<'m> {
            type Value = Probs<'m>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of label -> probability")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Probs<'m>, A::Error> {
                let mut probs = Vec::with_capacity(m.size_hint().unwrap_or(3));
                while let Some((label, p)) = m.next_entry::<&'de str, NanIfNull>()? {
                    probs.push((label, p.0));
                }
                Ok(Probs(probs))
            }
        }
        d.deserialize_map(Entries(std::marker::PhantomData))
    }
}

impl<'m> Probs<'m> {
    pub fn get(&self, label: &str) -> f64 {
        self.0
            .iter()
            .find(|(l, _)| *l == label)
            .map_or(0.0, |(_, p)| *p)
    }

    /// The most likely label and its probability (("", 0.0) when empty).
    pub fn top(&self) -> (&'m str, f64) {
        self.0
            .iter()
            .copied()
            .fold(("", 0.0), |best, x| if x.1 > best.1 { x } else { best })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelProbs<'m> {
    pub label: &'m str,
    #[serde(borrow)]
    pub probs: Probs<'m>,
}

impl<'m> From<Prediction<'m>> for LabelProbs<'m> {
    fn from(p: Prediction<'m>) -> Self {
        LabelProbs {
            label: p.label.as_str(),
            probs: Probs(p.probs),
        }
    }
}

/// What `predict` adds to a quote's record: the sentiment of its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentiment<'m> {
    #[serde(borrow)]
    pub sentiment: LabelProbs<'m>,
}

/// What `predict` adds to a target's record: the stance toward the party
/// and the probability of each of the model's labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StanceProbs<'m> {
    pub stance: Stance,
    #[serde(borrow)]
    pub probs: Probs<'m>,
}

/// `predict`'s record of a quote: `extract`'s with the sentiment and, per
/// target, the stance.
pub type QuoteStance<'m> = Quote<Sentiment<'m>, StanceProbs<'m>>;

/// `predict`'s record of a target: `extract`'s with the stance.
pub type TargetStance<'m> = Target<StanceProbs<'m>>;

/// One (speaker party -> target party) pair within an article: a
/// [`dyads::Dyad`] of one article, without its period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleDyad {
    pub source: String,
    pub target: String,
    pub conciliatory: usize,
    pub critical: usize,
    pub neutral: usize,
    /// Mean of P(conciliatory) - P(critical) over the pair's quotes.
    #[serde(deserialize_with = "json::nan_if_null")]
    pub score: f64,
}

impl From<dyads::Dyad> for ArticleDyad {
    fn from(d: dyads::Dyad) -> Self {
        ArticleDyad {
            source: d.source,
            target: d.target,
            conciliatory: d.conciliatory,
            critical: d.critical,
            neutral: d.neutral,
            score: d.score,
        }
    }
}

/// The `predict` record of one article: the `extract` record with sentiment,
/// stances and dyads added; `stancekit dyads` reads it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticlePrediction<'m> {
    pub article: String,
    pub date: Option<String>,
    #[serde(borrow)]
    pub quotes: Vec<QuoteStance<'m>>,
    pub dyads: Vec<ArticleDyad>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ArticlePrediction<'_> {
    pub fn failed(id: &str, error: impl Into<String>) -> ArticlePrediction<'static> {
        ArticlePrediction {
            article: id.to_string(),
            date: None,
            quotes: Vec::new(),
            dyads: Vec::new(),
            error: Some(error.into()),
        }
    }
}

/// The models and dictionary a prediction needs; shared read-only by threads.
pub struct Predictor<'a> {
    pub stance: &'a StanceModel,
    pub sentiment: &'a StanceModel,
    pub parties: &'a PartyDict,
}

/// Where `mention` occurs in `text`, choosing the occurrence nearest to the
/// byte offset `hint` (a quote's text can differ from the article slice, e.g.
/// for a multi-paragraph quote whose pieces are joined).
///
/// The occurrences are `match_indices`' (left to right, not overlapping) and
/// ties go to the first, but the search runs eight bytes at a time for the
/// mention's first byte: the general string searcher's set-up cost more than
/// the search itself on a quote's few hundred bytes. Byte matches of valid
/// UTF-8 in valid UTF-8 always start and end on character boundaries.
fn locate(text: &str, mention: &str, hint: usize) -> Option<(usize, usize)> {
    let (t, m) = (text.as_bytes(), mention.as_bytes());
    let &first = m.first()?;
    let mut best: Option<(usize, usize)> = None;
    let mut from = 0;
    while from + m.len() <= t.len() {
        let i = find_byte(t, from, |w| block_has(w, first), |b| b == first);
        if i + m.len() > t.len() {
            break;
        }
        if &t[i..i + m.len()] == m {
            if best.is_none_or(|(b, _)| i.abs_diff(hint) < b.abs_diff(hint)) {
                best = Some((i, i + m.len()));
            }
            from = i + m.len();
        } else {
            from = i + 1;
        }
    }
    best
}

impl<'a> Predictor<'a> {
    /// The quote's sentiment read as a stance (positive -> conciliatory,
    /// negative -> critical, neutral -> neutral), when both models use the
    /// standard label sets.
    fn tone_as_stance(&self, sentiment: &LabelProbs<'a>) -> Option<Prediction<'a>> {
        let pairs = [
            (Stance::Conciliatory, "positive"),
            (Stance::Critical, "negative"),
            (Stance::Neutral, "neutral"),
        ];
        let stance: &'a StanceModel = self.stance;
        let mut probs = Vec::with_capacity(stance.labels.len());
        // The first most probable label, as `model::argmax` picks it.
        let mut best = 0;
        for label in &stance.labels {
            let (_, tone) = pairs.iter().find(|(s, _)| s.as_str() == label)?;
            if !sentiment.probs.0.iter().any(|(l, _)| l == tone) {
                return None;
            }
            let p = sentiment.probs.get(tone);
            if p > probs.get(best).map_or(f64::NEG_INFINITY, |&(_, b)| b) {
                best = probs.len();
            }
            probs.push((label.as_str(), p));
        }
        Some(Prediction {
            label: Label(probs.get(best)?.0),
            probs,
        })
    }

    pub fn predict(&self, article: &Article) -> ArticlePrediction<'a> {
        let quotes = quotes::extract(article, self.parties);
        let scores: Vec<(LabelProbs, Vec<Prediction>)> =
            quotes.iter().map(|q| self.score(article, q)).collect();
        // The record (character offsets) takes the quotes' strings over.
        let record = ArticleQuotes::from_quotes(article, quotes);
        let mut out: Vec<QuoteStance> = Vec::with_capacity(record.quotes.len());
        for (q, (sentiment, stances)) in record.quotes.into_iter().zip(scores) {
            let mut scored = Vec::with_capacity(stances.len());
            for p in stances {
                // `predict` refuses a model with other labels before it
                // reads an article; the library says so per article.
                let Some(stance) = Stance::parse(p.label.as_str()) else {
                    return ArticlePrediction::failed(
                        &record.article,
                        format!(
                            "the stance model's label {:?} is not a stance (conciliatory, critical, neutral)",
                            p.label.as_str()
                        ),
                    );
                };
                scored.push(StanceProbs {
                    stance,
                    probs: Probs(p.probs),
                });
            }
            out.push(q.scored(Sentiment { sentiment }, scored));
        }
        let dyads = article_dyads(&out);
        ArticlePrediction {
            article: record.article,
            date: record.date,
            quotes: out,
            dyads,
            error: None,
        }
    }

    /// A quote's sentiment and its stance toward each of its targets.
    fn score(&self, article: &Article, q: &Quote) -> (LabelProbs<'a>, Vec<Prediction<'a>>) {
        // A partial quote is a few words; the stance is read from the
        // sentence around it, where the parties are usually named.
        // Mentions inside the text read are placeholders; targets resolved
        // from elsewhere are classified without a position.
        let (text, base): (&str, Option<usize>) = if q.kind == QuoteKind::Partial {
            let (s, e) = sentences::around(&article.text, q.start, q.end);
            (&article.text[s..e], Some(s))
        } else {
            (&q.text, None)
        };
        let spans: Vec<Option<(usize, usize)>> = q
            .targets
            .iter()
            .map(|t| match base {
                Some(b) => {
                    (t.start >= b && t.end <= b + text.len()).then(|| (t.start - b, t.end - b))
                }
                None => {
                    let inside = t.start >= q.start && t.end <= q.end;
                    inside
                        .then(|| locate(text, &t.mention, t.start - q.start))
                        .flatten()
                }
            })
            .collect();
        let sentiment: LabelProbs = self
            .sentiment
            .predict_doc(&Doc {
                text: &q.text,
                target: None,
                others: &[],
                own_party: false,
            })
            .into();
        let stances = q
            .targets
            .iter()
            .enumerate()
            .map(|(i, tj)| {
                let others: Vec<(usize, usize)> = spans
                    .iter()
                    .enumerate()
                    .filter(|&(j, s)| j != i && s.is_some() && *s != spans[i])
                    .filter_map(|(_, s)| *s)
                    .collect();
                let doc = Doc {
                    text,
                    target: spans[i],
                    others: &others,
                    own_party: q.speaker_party.as_deref() == Some(tj.party.as_str()),
                };
                match spans[i] {
                    Some(_) => self.stance.predict_doc(&doc),
                    // The stance model learnt from statements that name
                    // their target; toward a party the quote does not
                    // name, the quote's own tone is the better guide.
                    None => self
                        .tone_as_stance(&sentiment)
                        .unwrap_or_else(|| self.stance.predict_doc(&doc)),
                }
            })
            .collect();
        (sentiment, stances)
    }
}

/// The default `--min-prob`: on `labeled/dev.jsonl`, stances whose most
/// likely label has at least this probability are right 85% of the time
/// (0.855 on 982 of 2,037 rows, measured 2026-12-07 with the shipped model;
/// `stancekit eval --data labeled/dev.jsonl --predictions FILE`).
pub const DEFAULT_MIN_PROB: f64 = 0.82;

impl ArticlePrediction<'_> {
    /// Reports every target stance whose most likely label has a
    /// probability below `min_prob` as [`Stance::Uncertain`] (its
    /// probabilities kept) and leaves it out of the article's dyads.
    /// Returns how many stances it left out.
    pub fn abstain(&mut self, min_prob: f64) -> usize {
        let mut left_out = 0;
        for q in &mut self.quotes {
            for t in &mut q.targets {
                if t.scored.probs.top().1 < min_prob {
                    t.scored.stance = Stance::Uncertain;
                    left_out += 1;
                }
            }
        }
        if left_out > 0 {
            self.dyads = article_dyads(&self.quotes);
        }
        left_out
    }
}

/// The observations a quote gives the dyads, one per target: the
/// observation, or why the target gives none. `None` for a quote without a
/// speaker party; `period` is the group in time the caller puts it in.
/// Both `predict` (per article) and `dyads` (over a corpus) count with it.
pub fn observations<'q>(
    q: &'q QuoteStance,
    period: &'q str,
) -> Option<impl Iterator<Item = Result<Observation<'q>, Left>> + 'q> {
    let source = q.speaker_party.as_deref()?;
    Some(q.targets.iter().map(move |t| {
        if t.party == source {
            return Err(Left::SelfTarget);
        }
        if t.scored.stance == Stance::Uncertain {
            return Err(Left::Uncertain);
        }
        let p = |s: Stance| t.scored.probs.get(s.as_str());
        Ok(Observation {
            source: source.into(),
            target: t.party.as_str().into(),
            period: period.into(),
            stance: t.scored.stance,
            score: p(Stance::Conciliatory) - p(Stance::Critical),
        })
    }))
}

/// Why a target gives the dyads no observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Left {
    /// A party's stance toward itself is no dyad.
    SelfTarget,
    /// The stance was reported as uncertain.
    Uncertain,
}

/// The article's dyads: every (speaker party, target party) pair with the
/// source different from the target, sorted by volume then names.
pub fn article_dyads(quotes: &[QuoteStance]) -> Vec<ArticleDyad> {
    let observed: Vec<Observation> = quotes
        .iter()
        .filter_map(|q| observations(q, ""))
        .flatten()
        .filter_map(Result::ok)
        .collect();
    dyads::aggregate(&observed)
        .into_iter()
        .map(ArticleDyad::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_they_were_written() {
        let predictor = Predictor {
            stance: &crate::defaults::model(crate::model::Task::Stance).unwrap(),
            sentiment: &crate::defaults::model(crate::model::Task::Sentiment).unwrap(),
            parties: PartyDict::embedded(),
        };
        let text = " date 2025-03-22 - Lead. Title\n\n\"Russia is a threat,\" NATO's chief said. \
                    \"We welcome Japan's \\ \"offer\",\u{1}\" said Wang Yi, China's foreign minister.\n\n\
                    Putin said the West \"lies\" about Ukraine.";
        let mut records = vec![
            predictor.predict(&Article::parse("a\"1", text.to_string())),
            ArticlePrediction::failed("bad\tid", "line 3: not UTF-8 \u{7f}"),
        ];
        let mut odd = predictor.predict(&Article::parse("b", text.to_string()));
        assert!(!odd.quotes.is_empty() && !odd.quotes[0].targets.is_empty());
        odd.dyads.push(ArticleDyad {
            source: "Ünïcode".into(),
            target: "x".into(),
            conciliatory: 1,
            critical: usize::MAX,
            neutral: 0,
            score: f64::NAN,
        });
        odd.quotes[0].speaker = None;
        odd.quotes[0].kind = QuoteKind::Indirect;
        odd.quotes[0].targets[0].scored.probs.0[0].1 = 1e-300;
        odd.quotes[0].targets[0].scored.stance = Stance::Uncertain;
        odd.quotes[0].scored.sentiment.probs.0[0].1 = f64::NAN;
        records.push(odd);
        for r in &records {
            let ours = serde_json::to_string(r).unwrap();
            // Read back (as `dyads` reads it), the same record: written
            // again, the same bytes (NaN, written as null, is no number
            // to compare).
            let back: ArticlePrediction = serde_json::from_str(&ours).unwrap();
            assert_eq!(serde_json::to_string(&back).unwrap(), ours);
        }
    }

    #[test]
    fn a_stance_model_whose_labels_are_no_stances_gives_an_error_record_naming_the_label() {
        let mut stance = crate::defaults::model(crate::model::Task::Stance).unwrap();
        for label in &mut stance.labels {
            *label = format!("not-{label}");
        }
        let predictor = Predictor {
            stance: &stance,
            sentiment: &crate::defaults::model(crate::model::Task::Sentiment).unwrap(),
            parties: PartyDict::embedded(),
        };
        let text = "\"Russia is a threat to us all,\" NATO chief Mark Rutte said.";
        let record = predictor.predict(&Article::parse("a", text.to_string()));
        let error = record.error.expect("an error record");
        assert!(error.contains("\"not-"), "{error}");
        assert!(record.quotes.is_empty() && record.dyads.is_empty());
    }

    #[test]
    fn locate_prefers_the_occurrence_nearest_the_hint() {
        assert_eq!(locate("Russia and Russia", "Russia", 9), Some((11, 17)));
        assert_eq!(locate("Russia and Russia", "Russia", 0), Some((0, 6)));
        assert_eq!(locate("nothing", "Russia", 0), None);
        // The same answer as the plain reading over match_indices, also for
        // overlapping repeats, ties, multi-byte text and every hint.
        let reference = |text: &str, mention: &str, hint: usize| {
            text.match_indices(mention)
                .map(|(i, m)| (i, i + m.len()))
                .min_by_key(|&(i, _)| i.abs_diff(hint))
        };
        let texts = [
            "aaaaaaaaaaaaaaaaaaaaa",
            "ab ab ab abab",
            "Über Ünïcode und Über-Ünïcode, Russia's and Russia",
            "short",
            "",
        ];
        for text in texts {
            for mention in [
                "a", "aa", "aaa", "ab", "abab", "Über", "Ü", "Russia", "x", "short",
            ] {
                for hint in 0..text.len() + 2 {
                    assert_eq!(
                        locate(text, mention, hint),
                        reference(text, mention, hint),
                        "{text:?} {mention:?} {hint}"
                    );
                }
            }
        }
    }
}
