//! The feature columns of one document, counted and handed back in column
//! order: what sorting the list of found columns gave, without the sort.
//! The order matters beyond tidiness: a row's norm and scores are sums
//! taken in column order, and any other order changes their last digits.

/// A multiset of column numbers as a two-level bitmap: a bit per column,
/// and a bit per 64-column word that has any bit set. Adding a column is a
/// few bit operations on a small array that stays in cache, and reading the
/// set back visits only the words that were touched, in order: cheaper than
/// sorting the document's list of columns (some sixty on `predict`).
///
/// A column added again is kept in `repeats`; documents repeat few
/// features, so sorting that short list is cheap.
#[derive(Default)]
pub(super) struct ColumnCounts {
    /// Bit `j % 64` of word `j / 64`: column `j` was added.
    words: Vec<u64>,
    /// Bit `w % 64` of entry `w / 64`: `words[w]` is not zero.
    summary: Vec<u64>,
    /// Every addition of a column after its first.
    repeats: Vec<u32>,
}

impl ColumnCounts {
    /// Makes room for columns below `n_cols`; the set must be empty.
    pub(super) fn reserve_columns(&mut self, n_cols: usize) {
        let words = n_cols.div_ceil(64);
        if self.words.len() < words {
            self.words.resize(words, 0);
            self.summary.resize(words.div_ceil(64), 0);
        }
    }

    /// Adds one occurrence of column `j` (below the `n_cols` reserved).
    #[inline]
    pub(super) fn add(&mut self, j: u32) {
        let (w, bit) = (j as usize / 64, 1u64 << (j % 64));
        let word = &mut self.words[w];
        if *word & bit != 0 {
            self.repeats.push(j);
        } else {
            *word |= bit;
            self.summary[w / 64] |= 1 << (w % 64);
        }
    }

    /// Calls `each(column, count)` for each column added, by rising
    /// column, with how often it was added; empties the set.
    #[inline]
    pub(super) fn drain(&mut self, mut each: impl FnMut(u32, u32)) {
        self.repeats.sort_unstable();
        // Ends the list: no column is u32::MAX (a column is below the
        // number of columns, a u32).
        self.repeats.push(u32::MAX);
        let mut next_repeat = 0;
        for (s, summary) in self.summary.iter_mut().enumerate() {
            let mut touched = std::mem::take(summary);
            while touched != 0 {
                let w = s * 64 + touched.trailing_zeros() as usize;
                touched &= touched - 1;
                let mut bits = std::mem::take(&mut self.words[w]);
                while bits != 0 {
                    let j = (w * 64) as u32 + bits.trailing_zeros();
                    bits &= bits - 1;
                    let mut count = 1;
                    while self.repeats[next_repeat] == j {
                        count += 1;
                        next_repeat += 1;
                    }
                    each(j, count);
                }
            }
        }
        self.repeats.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What sorting the added columns and counting runs gives.
    fn sorted_counts(columns: &[u32]) -> Vec<(u32, u32)> {
        let mut sorted = columns.to_vec();
        sorted.sort_unstable();
        sorted
            .chunk_by(|a, b| a == b)
            .map(|run| (run[0], run.len() as u32))
            .collect()
    }

    #[test]
    fn drains_columns_in_order_with_their_counts_and_ends_empty() {
        let docs: [&[u32]; 5] = [
            &[7, 3, 4095, 64, 63, 3, 0, 4096 + 65, 64, 3, 200, 4095],
            &[],
            &[5],
            &[129, 128, 127, 129, 1, 5000, 4999, 5000, 5000],
            // Pseudo-random, with many repeats.
            &(0..300u32).map(|i| (i * 7919) % 211).collect::<Vec<_>>(),
        ];
        let mut set = ColumnCounts::default();
        set.reserve_columns(5001);
        for columns in docs {
            for &j in columns {
                set.add(j);
            }
            let mut out = Vec::new();
            set.drain(|j, count| out.push((j, count)));
            assert_eq!(out, sorted_counts(columns), "{columns:?}");
        }
        assert!(set.words.iter().chain(&set.summary).all(|&w| w == 0));
        assert!(set.repeats.is_empty());
    }
}
