//! Stratified, grouped fold assignment for cross-validation. Rows that share
//! a text (one quote labelled toward several targets) always land in the same
//! fold, so a quote never appears in both training and held-out data.

use crate::data::Example;
use std::collections::{BTreeMap, HashMap};

/// SplitMix64: a tiny seeded generator, so folds are reproducible without
/// pulling in a random-number crate.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// The fold (0..k) of every example. Groups (same text) are stratified by
/// the label of their first row, shuffled with `seed`, and dealt round-robin.
pub fn stratified_folds(examples: &[Example], k: usize, seed: u64) -> Vec<usize> {
    let k = k.max(1);
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, e) in examples.iter().enumerate() {
        let g = *group_of.entry(e.text.as_str()).or_insert_with(|| {
            groups.push((e.label.clone().unwrap_or_default(), Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(i);
    }
    let mut strata: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (g, (label, _)) in groups.iter().enumerate() {
        strata.entry(label.as_str()).or_default().push(g);
    }
    let mut rng = SplitMix(seed);
    let mut fold = vec![0; examples.len()];
    let mut next = 0usize;
    for members in strata.values_mut() {
        rng.shuffle(members);
        for &g in members.iter() {
            for &i in &groups[g].1 {
                fold[i] = next % k;
            }
            next += 1;
        }
    }
    fold
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str, label: &str) -> Example {
        Example {
            id: None,
            text: text.into(),
            target: "x".into(),
            span: None,
            label: Some(label.into()),
            speaker: None,
            speaker_party: None,
            sentiment: None,
            source: None,
            date: None,
            extra: Default::default(),
            line: 1,
        }
    }

    #[test]
    fn folds_are_stratified_grouped_and_seeded() {
        let mut data = Vec::new();
        for i in 0..30 {
            data.push(ex(&format!("a{i}"), "a"));
            data.push(ex(&format!("b{i}"), "b"));
        }
        data.push(ex("shared", "a"));
        data.push(ex("shared", "b"));
        let f = stratified_folds(&data, 5, 7);
        assert_eq!(f, stratified_folds(&data, 5, 7));
        assert_ne!(f, stratified_folds(&data, 5, 8));
        for label in ["a", "b"] {
            let per_fold: Vec<usize> = (0..5)
                .map(|fold| {
                    (0..62)
                        .filter(|&i| f[i] == fold && data[i].label.as_deref() == Some(label))
                        .count()
                })
                .collect();
            let (lo, hi) = (
                per_fold.iter().min().unwrap(),
                per_fold.iter().max().unwrap(),
            );
            assert!(hi - lo <= 1, "label {label} spread unevenly: {per_fold:?}");
        }
        assert_eq!(f[60], f[61], "rows of one text stay together");
    }
}
