//! Compressed sparse rows: the feature matrix the trainer works on. TF-IDF
//! rows are ~99.9% zeros, which is why we do not hand linfa a dense matrix
//! unless asked to (`--solver linfa`).

use crate::features::SparseRow;
use ndarray::Array2;

#[derive(Debug, Clone, PartialEq)]
pub struct Csr {
    pub n_cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
}

impl Csr {
    /// Builds a matrix from rows whose column indices are all below `n_cols`.
    pub fn from_rows(rows: &[SparseRow], n_cols: usize) -> Csr {
        let nnz = rows.iter().map(Vec::len).sum();
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        let mut indices = Vec::with_capacity(nnz);
        let mut values = Vec::with_capacity(nnz);
        indptr.push(0);
        for row in rows {
            for &(j, v) in row {
                debug_assert!((j as usize) < n_cols);
                indices.push(j);
                values.push(v);
            }
            indptr.push(indices.len());
        }
        Csr {
            n_cols,
            indptr,
            indices,
            values,
        }
    }

    /// A matrix from its parts: row `i`'s columns and values are
    /// `indices[indptr[i]..indptr[i + 1]]` and the same range of `values`.
    pub(crate) fn from_parts(
        n_cols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        values: Vec<f64>,
    ) -> Csr {
        debug_assert_eq!(indptr.first(), Some(&0));
        debug_assert_eq!(indptr.last(), Some(&indices.len()));
        debug_assert_eq!(indices.len(), values.len());
        debug_assert!(indices.iter().all(|&j| (j as usize) < n_cols));
        Csr {
            n_cols,
            indptr,
            indices,
            values,
        }
    }

    /// The matrix with each row from `first` on followed by a copy of its
    /// values in columns shifted by `shift` (feature augmentation for
    /// auxiliary rows: each fires its domain's copy of a feature too), and
    /// `n_cols` columns.
    pub fn with_shifted_copies(self, first: usize, shift: u32, n_cols: usize) -> Csr {
        let extra = self.indptr[self.n_rows()] - self.indptr[first.min(self.n_rows())];
        let mut indptr = Vec::with_capacity(self.indptr.len());
        let mut indices = Vec::with_capacity(self.nnz() + extra);
        let mut values = Vec::with_capacity(self.nnz() + extra);
        indptr.push(0);
        for i in 0..self.n_rows() {
            let (idx, val) = self.row(i);
            indices.extend_from_slice(idx);
            values.extend_from_slice(val);
            if i >= first {
                indices.extend(idx.iter().map(|&j| j + shift));
                values.extend_from_slice(val);
            }
            indptr.push(indices.len());
        }
        Csr::from_parts(n_cols, indptr, indices, values)
    }

    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[a..b], &self.values[a..b])
    }

    /// Where row `i`'s values are stored (in [`Csr::values`]).
    pub fn row_span(&self, i: usize) -> std::ops::Range<usize> {
        self.indptr[i]..self.indptr[i + 1]
    }

    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The stored column indices, row after row.
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    /// The matrix with its columns renumbered by falling number of stored
    /// values (see [`Csr::columns_by_frequency`]), and `order`: column `n`
    /// of the result is column `order[n]` of `self`. Rows keep their values
    /// in stored order. For [`super::solver::Problem::order`].
    pub fn renumbered_by_frequency(self) -> (Csr, Vec<u32>) {
        let (order, cols) = self.columns_by_frequency();
        let x = Csr {
            indices: cols,
            ..self
        };
        (x, order)
    }

    /// The columns by falling number of stored values (ties by column):
    /// `order[n]` is the column numbered `n`. Also returns the stored column
    /// indices so renumbered, in stored order.
    pub fn columns_by_frequency(&self) -> (Vec<u32>, Vec<u32>) {
        let mut counts = vec![0u32; self.n_cols];
        for &j in &self.indices {
            counts[j as usize] += 1;
        }
        let mut order: Vec<u32> = (0..self.n_cols as u32).collect();
        order.sort_by_key(|&j| std::cmp::Reverse(counts[j as usize]));
        let mut new_of = vec![0u32; self.n_cols];
        for (n, &j) in order.iter().enumerate() {
            new_of[j as usize] = n as u32;
        }
        let cols = self.indices.iter().map(|&j| new_of[j as usize]).collect();
        (order, cols)
    }

    /// The transpose (columns as rows), so X^T r can be computed one output
    /// column at a time without scattered writes; its rows in the order
    /// `order` gives (row `n` is column `order[n]`, a permutation of the
    /// columns).
    pub fn transpose_renumbered(&self, order: &[u32]) -> Csr {
        let mut counts = vec![0usize; self.n_cols + 1];
        for &j in &self.indices {
            counts[j as usize + 1] += 1;
        }
        // Column j's values start where those of the columns before it in
        // `order` end.
        let mut start = vec![0usize; self.n_cols];
        let mut indptr = Vec::with_capacity(self.n_cols + 1);
        indptr.push(0);
        let mut at = 0;
        for &j in order {
            start[j as usize] = at;
            at += counts[j as usize + 1];
            indptr.push(at);
        }
        let mut next = start;
        let mut indices = vec![0u32; self.nnz()];
        let mut values = vec![0.0; self.nnz()];
        for i in 0..self.n_rows() {
            let (idx, val) = self.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                let p = next[j as usize];
                indices[p] = i as u32;
                values[p] = v;
                next[j as usize] += 1;
            }
        }
        Csr {
            n_cols: self.n_rows(),
            indptr,
            indices,
            values,
        }
    }

    /// A dense copy, for linfa-logistic, which takes only `Array2`.
    pub fn to_dense(&self) -> Array2<f64> {
        let mut m = Array2::zeros((self.n_rows(), self.n_cols));
        for i in 0..self.n_rows() {
            let (idx, val) = self.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                m[[i, j as usize]] = v;
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_copies_follow_each_row_from_the_first_one_on() {
        let rows = vec![
            vec![(0, 1.0), (2, 0.5)],
            vec![(1, 2.0)],
            vec![(0, 3.0), (1, 4.0)],
        ];
        let x = Csr::from_rows(&rows, 3).with_shifted_copies(1, 3, 6);
        let want = vec![
            vec![(0, 1.0), (2, 0.5)],
            vec![(1, 2.0), (4, 2.0)],
            vec![(0, 3.0), (1, 4.0), (3, 3.0), (4, 4.0)],
        ];
        assert_eq!(x, Csr::from_rows(&want, 6));
    }

    #[test]
    fn renumbering_by_frequency_keeps_each_rows_values_in_stored_order() {
        // Column 2 is the most frequent, then 0, then 1.
        let rows = vec![
            vec![(0, 1.0), (2, 0.5)],
            vec![(2, 2.0)],
            vec![(0, 3.0), (1, 4.0), (2, 5.0)],
        ];
        let x = Csr::from_rows(&rows, 3);
        let (y, order) = x.clone().renumbered_by_frequency();
        assert_eq!(order, vec![2, 0, 1]);
        assert_eq!(y.values(), x.values());
        for i in 0..x.n_rows() {
            let (a, _) = x.row(i);
            let (b, _) = y.row(i);
            let back: Vec<u32> = b.iter().map(|&n| order[n as usize]).collect();
            assert_eq!(back, a);
        }
    }
}
