//! The objective's loss and gradient: softmax cross-entropy of `x_i W + b`
//! summed over the rows with their weights, plus `alpha/2 * ||W||^2`. The
//! forward pass runs over rows (residuals and losses), the backward pass
//! over columns (via the transpose), each cut into jobs that write their own
//! part of the output, so the result does not depend on the thread count.

use super::{dot, ranges, split_lengths, with_simd, Par, Problem};
use crate::model::sparse::Csr;

/// Runs `f` on each part of `out` (split at `ranges`) across the pool.
fn par_chunks<T: Send>(
    pool: &Par,
    out: &mut [T],
    ranges: &[std::ops::Range<usize>],
    scale: usize,
    f: &(dyn Fn(std::ops::Range<usize>, &mut [T]) + Sync),
) {
    let parts = split_lengths(out, ranges.iter().map(|r| (r.end - r.start) * scale));
    let jobs: Vec<_> = ranges.iter().cloned().zip(parts).collect();
    pool.run_jobs(jobs, |(r, part)| f(r, part));
}

/// Loss/gradient evaluation with the buffers it needs kept between calls.
///
/// The kernels for two to four classes number the columns by falling
/// frequency: the forward pass reads one weight row per stored value, and
/// with the frequent features side by side most of those reads hit a few
/// hundred kilobytes that stay in cache rather than the whole weight
/// matrix. Rows keep their values in stored order and columns their rows,
/// so every sum is taken in the same order as without the renumbering and
/// the results are bit for bit the same.
pub(super) struct Evaluator<'a, 'p> {
    p: &'p Problem<'a>,
    pool: &'p Par,
    xt: Csr,
    /// Per row: the weighted residual p - onehot(y), [`lanes`] wide.
    resid: Vec<f64>,
    /// Per row: weighted cross-entropy.
    row_loss: Vec<f64>,
    /// Column `order[j]` of X is column `j` of the kernels (see
    /// [`Csr::columns_by_frequency`]); `cols` holds X's stored column
    /// indices so renumbered, and `xt` is the renumbered transpose.
    order: Vec<u32>,
    /// None when X's own indices are already renumbered ([`Problem::order`]).
    cols: Option<Vec<u32>>,
    /// Weights and weight gradient in the kernels' column order, padded to
    /// [`lanes`] per feature.
    wp: Vec<f64>,
    gp: Vec<f64>,
    row_ranges: Vec<std::ops::Range<usize>>,
    col_ranges: Vec<std::ops::Range<usize>>,
}

/// Values per weight row and residual row in the kernels. Three classes are
/// padded to four: a row of four doubles is two whole SIMD registers (one
/// with AVX), where three take a register and a scalar op each, and the
/// padding lane only ever holds zeros, so the three real lanes compute
/// exactly what they would alone.
fn lanes(k: usize) -> usize {
    if k == 3 {
        4
    } else {
        k
    }
}

impl<'a, 'p> Evaluator<'a, 'p> {
    pub(super) fn new(p: &'p Problem<'a>, pool: &'p Par, parts: usize) -> Self {
        let n = p.x.n_rows();
        let (k, s) = (p.n_classes, lanes(p.n_classes));
        // The kernels for any class count keep X's own numbering.
        let identity = || (0..p.x.n_cols as u32).collect::<Vec<u32>>();
        let (order, cols, xt) = match p.order {
            Some(order) => {
                assert!(
                    (2..=4).contains(&k),
                    "renumbered columns need 2 to 4 classes"
                );
                (order.to_vec(), None, p.x.transpose_renumbered(&identity()))
            }
            None if (2..=4).contains(&k) => {
                let (order, cols) = p.x.columns_by_frequency();
                let xt = p.x.transpose_renumbered(&order);
                (order, Some(cols), xt)
            }
            None => (
                identity(),
                Some(Vec::new()),
                p.x.transpose_renumbered(&identity()),
            ),
        };
        let padded = if (2..=4).contains(&k) {
            p.x.n_cols * s
        } else {
            0
        };
        Evaluator {
            p,
            pool,
            xt,
            order,
            cols,
            resid: vec![0.0; n * s],
            row_loss: vec![0.0; n],
            wp: vec![0.0; padded],
            gp: vec![0.0; padded],
            row_ranges: ranges(n, parts),
            col_ranges: ranges(p.x.n_cols, parts),
        }
    }

    pub(super) fn loss_grad(&mut self, params: &[f64], grad: &mut [f64]) -> f64 {
        match self.p.n_classes {
            2 => self.loss_grad_k::<2, 2>(params, grad),
            3 => self.loss_grad_k::<3, 4>(params, grad),
            4 => self.loss_grad_k::<4, 4>(params, grad),
            _ => self.loss_grad_dyn(params, grad),
        }
    }

    /// [`Evaluator::loss_grad`] for `K` classes stored `S` lanes wide.
    fn loss_grad_k<const K: usize, const S: usize>(
        &mut self,
        params: &[f64],
        grad: &mut [f64],
    ) -> f64 {
        let p = self.p;
        let nw = p.x.n_cols * K;
        let (w, b0) = params.split_at(nw);
        let (gw, gb) = grad.split_at_mut(nw);
        let Evaluator {
            xt,
            order,
            cols,
            resid,
            row_loss,
            wp,
            gp,
            row_ranges,
            col_ranges,
            pool,
            ..
        } = self;
        for (to, &j) in wp.as_chunks_mut::<S>().0.iter_mut().zip(order.iter()) {
            let j = j as usize;
            to[..K].copy_from_slice(&w[j * K..j * K + K]);
        }
        let wl: &[[f64; S]] = wp.as_chunks::<S>().0;
        let cols = cols.as_deref().unwrap_or(p.x.indices());
        let mut b = [0.0f64; S];
        b[..K].copy_from_slice(b0);
        // Forward: residuals and losses, row by row.
        let (resid_rows, _) = resid.as_chunks_mut::<S>();
        let lens = || row_ranges.iter().map(|r| r.end - r.start);
        let jobs: Vec<_> = row_ranges
            .iter()
            .cloned()
            .zip(split_lengths(resid_rows, lens()))
            .zip(split_lengths(row_loss, lens()))
            .collect();
        pool.run_jobs(jobs, |((r, a), l)| {
            with_simd(
                #[inline(always)]
                || forward_rows::<K, S>(p, cols, wl, b, r, a, l),
            )
        });
        // Backward: each weight row j reads only column j of X (row j of X^T).
        let resid_rows = resid.as_chunks::<S>().0;
        let alpha = p.alpha;
        let backward = |r: std::ops::Range<usize>, out: &mut [[f64; S]]| {
            with_simd(
                #[inline(always)]
                || backward_cols::<S>(xt, resid_rows, wl, alpha, r, out),
            )
        };
        par_chunks(pool, gp.as_chunks_mut::<S>().0, col_ranges, 1, &backward);
        for (from, &j) in gp.as_chunks::<S>().0.iter().zip(order.iter()) {
            let j = j as usize;
            gw[j * K..j * K + K].copy_from_slice(&from[..K]);
        }
        gb.iter_mut().for_each(|g| *g = 0.0);
        for row in resid_rows {
            for c in 0..K {
                gb[c] += row[c];
            }
        }
        let data_loss: f64 = row_loss.iter().sum();
        data_loss + 0.5 * alpha * dot(w, w)
    }

    /// [`Evaluator::loss_grad`] for any class count.
    fn loss_grad_dyn(&mut self, params: &[f64], grad: &mut [f64]) -> f64 {
        let p = self.p;
        let k = p.n_classes;
        let nw = p.x.n_cols * k;
        let (w, b0) = params.split_at(nw);
        let lens = || self.row_ranges.iter().map(|r| r.end - r.start);
        let jobs: Vec<_> = self
            .row_ranges
            .iter()
            .cloned()
            .zip(split_lengths(&mut self.resid, lens().map(|n| n * k)))
            .zip(split_lengths(&mut self.row_loss, lens()))
            .collect();
        self.pool
            .run_jobs(jobs, |((r, a), l)| forward_rows_dyn(p, w, b0, r, a, l));
        let xt = &self.xt;
        let resid = &self.resid;
        let alpha = p.alpha;
        let (gw, gb) = grad.split_at_mut(nw);
        par_chunks(self.pool, gw, &self.col_ranges, k, &|r, out| {
            backward_cols_dyn(xt, resid, w, alpha, k, r, out)
        });
        gb.iter_mut().for_each(|g| *g = 0.0);
        for row in self.resid.chunks_exact(k) {
            for c in 0..k {
                gb[c] += row[c];
            }
        }
        let data_loss: f64 = self.row_loss.iter().sum();
        data_loss + 0.5 * alpha * dot(w, w)
    }
}

// The kernels below are written once for a class count known at compile time
// (2-4 labels, the common cases: sums stay in registers) and once for any
// count. Both compute exactly the same sums in the same order.

/// Softmax of `z` in place; returns the weighted loss and leaves `z` as the
/// weighted residual p - onehot(y).
#[inline]
fn residual(z: &mut [f64], yi: usize, sw: f64) -> f64 {
    let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for zc in z.iter_mut() {
        *zc = (*zc - m).exp();
        sum += *zc;
    }
    let loss = -sw * (z[yi] / sum).ln();
    for (c, zc) in z.iter_mut().enumerate() {
        *zc = sw * (*zc / sum - if c == yi { 1.0 } else { 0.0 });
    }
    loss
}

/// `acc += v * w[j]` over one sparse row or column, in stored order.
#[inline(always)]
fn accumulate<const S: usize>(acc: &mut [f64; S], idx: &[u32], val: &[f64], w: &[[f64; S]]) {
    for (&j, &v) in idx.iter().zip(val) {
        let wr = &w[j as usize];
        for c in 0..S {
            acc[c] += v * wr[c];
        }
    }
}

/// [`accumulate`] over two rows at once: each row's sum is a chain of
/// dependent additions, and running two chains side by side keeps the
/// adder busy while either waits. Each sum keeps its own order.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn accumulate2<const S: usize>(
    a: &mut [f64; S],
    (ia, va): (&[u32], &[f64]),
    b: &mut [f64; S],
    (ib, vb): (&[u32], &[f64]),
    w: &[[f64; S]],
) {
    let n = ia.len().min(ib.len());
    for ((&ja, &xa), (&jb, &xb)) in ia[..n]
        .iter()
        .zip(&va[..n])
        .zip(ib[..n].iter().zip(&vb[..n]))
    {
        let (wa, wb) = (&w[ja as usize], &w[jb as usize]);
        for c in 0..S {
            a[c] += xa * wa[c];
            b[c] += xb * wb[c];
        }
    }
    accumulate(a, &ia[n..], &va[n..], w);
    accumulate(b, &ib[n..], &vb[n..], w);
}

#[inline(always)]
fn forward_rows<const K: usize, const S: usize>(
    p: &Problem,
    cols: &[u32],
    w: &[[f64; S]],
    b0: [f64; S],
    r: std::ops::Range<usize>,
    resid: &mut [[f64; S]],
    losses: &mut [f64],
) {
    let mut finish = |o: usize, i: usize, mut z: [f64; S]| {
        losses[o] = residual(&mut z[..K], p.y[i], p.weights[i]);
        z[K..].fill(0.0);
        resid[o] = z;
    };
    // Row i's values with their renumbered columns.
    let row = |i: usize| {
        let span = p.x.row_span(i);
        (&cols[span.clone()], &p.x.values()[span])
    };
    let mut o = 0;
    let mut i = r.start;
    while i + 1 < r.end {
        let (mut za, mut zb) = (b0, b0);
        accumulate2(&mut za, row(i), &mut zb, row(i + 1), w);
        finish(o, i, za);
        finish(o + 1, i + 1, zb);
        (o, i) = (o + 2, i + 2);
    }
    if i < r.end {
        let mut z = b0;
        let (idx, val) = row(i);
        accumulate(&mut z, idx, val, w);
        finish(o, i, z);
    }
}

fn forward_rows_dyn(
    p: &Problem,
    w: &[f64],
    b0: &[f64],
    r: std::ops::Range<usize>,
    resid: &mut [f64],
    losses: &mut [f64],
) {
    let k = p.n_classes;
    for (o, i) in r.enumerate() {
        let z = &mut resid[o * k..o * k + k];
        z.copy_from_slice(b0);
        let (idx, val) = p.x.row(i);
        for (&j, &v) in idx.iter().zip(val) {
            let wr = &w[j as usize * k..j as usize * k + k];
            for c in 0..k {
                z[c] += v * wr[c];
            }
        }
        losses[o] = residual(z, p.y[i], p.weights[i]);
    }
}

#[inline(always)]
fn backward_cols<const S: usize>(
    xt: &Csr,
    resid: &[[f64; S]],
    w: &[[f64; S]],
    alpha: f64,
    r: std::ops::Range<usize>,
    out: &mut [[f64; S]],
) {
    let start = |j: usize| w[j].map(|wc| alpha * wc);
    let mut o = 0;
    let mut j = r.start;
    while j + 1 < r.end {
        let (mut ga, mut gb) = (start(j), start(j + 1));
        accumulate2(&mut ga, xt.row(j), &mut gb, xt.row(j + 1), resid);
        out[o] = ga;
        out[o + 1] = gb;
        (o, j) = (o + 2, j + 2);
    }
    if j < r.end {
        let mut g = start(j);
        let (idx, val) = xt.row(j);
        accumulate(&mut g, idx, val, resid);
        out[o] = g;
    }
}

fn backward_cols_dyn(
    xt: &Csr,
    resid: &[f64],
    w: &[f64],
    alpha: f64,
    k: usize,
    r: std::ops::Range<usize>,
    out: &mut [f64],
) {
    for (o, j) in r.enumerate() {
        let g = &mut out[o * k..o * k + k];
        for c in 0..k {
            g[c] = alpha * w[j * k + c];
        }
        let (idx, val) = xt.row(j);
        for (&i, &v) in idx.iter().zip(val) {
            let ri = &resid[i as usize * k..i as usize * k + k];
            for c in 0..k {
                g[c] += v * ri[c];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::toy;
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let (x, y) = toy();
        let w = vec![1.0, 2.0, 1.0, 0.5, 1.0, 1.0];
        let p = Problem {
            x: &x,
            y: &y,
            weights: &w,
            n_classes: 3,
            alpha: 0.7,
            order: None,
        };
        let params: Vec<f64> = (0..p.n_params()).map(|i| (i as f64 * 0.37).sin()).collect();
        let mut g = vec![0.0; params.len()];
        p.loss_grad(&params, &mut g);
        let h = 1e-6;
        for i in 0..params.len() {
            let mut a = params.clone();
            let mut b = params.clone();
            a[i] += h;
            b[i] -= h;
            let mut tmp = vec![0.0; params.len()];
            let fd = (p.loss_grad(&a, &mut tmp) - p.loss_grad(&b, &mut tmp)) / (2.0 * h);
            assert!((fd - g[i]).abs() < 1e-6, "param {i}: {fd} vs {}", g[i]);
        }
    }
}
