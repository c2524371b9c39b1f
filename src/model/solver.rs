//! A sparse trainer for linfa-logistic's multinomial objective.
//!
//! linfa-logistic's `MultiLogisticRegression` minimises
//! `-sum_i log softmax(x_i W + b)[y_i] + alpha/2 * ||W||^2` (intercept not
//! penalised) with L-BFGS, but only over a dense `Array2`. We minimise the
//! same objective, with optional per-sample weights (for balanced classes),
//! by L-BFGS over a CSR matrix. The forward pass runs over rows and the
//! gradient over columns (via the transpose), so every output is computed by
//! exactly one thread in a fixed order: the result does not depend on how
//! many threads ran.

use super::sparse::Csr;

/// Pairs kept by L-BFGS (as linfa-logistic uses).
const HISTORY: usize = 10;

pub struct Problem<'a> {
    pub x: &'a Csr,
    /// Class index of every row.
    pub y: &'a [usize],
    /// Weight of every row (1.0 for unweighted training).
    pub weights: &'a [f64],
    pub n_classes: usize,
    pub alpha: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct SolverOptions {
    pub max_iter: usize,
    /// Stop when max |gradient| divided by the total sample weight is below
    /// this (the averaged-loss criterion scikit-learn's lbfgs uses).
    pub tol: f64,
    pub threads: usize,
}

#[derive(Debug, Clone)]
pub struct Solution {
    /// Feature-major weights: `w[j * n_classes + c]`.
    pub w: Vec<f64>,
    pub intercept: Vec<f64>,
    pub loss: f64,
    pub iterations: usize,
    /// Loss/gradient evaluations, line-search trials included.
    pub evaluations: usize,
    pub converged: bool,
}

impl Problem<'_> {
    fn n_params(&self) -> usize {
        (self.x.n_cols + 1) * self.n_classes
    }

    /// Loss and gradient at `params` (weights then intercepts).
    pub fn loss_grad(&self, params: &[f64], grad: &mut [f64]) -> f64 {
        Evaluator::new(self, 1).loss_grad(params, grad)
    }
}

/// Splits `0..n` into at most `parts` contiguous ranges.
fn ranges(n: usize, parts: usize) -> Vec<std::ops::Range<usize>> {
    let len = n.div_ceil(parts.max(1)).max(1);
    (0..n).step_by(len).map(|s| s..(s + len).min(n)).collect()
}

/// Runs `f` on each part of `out` (split at `ranges`) on its own thread.
fn par_chunks<T: Send>(
    out: &mut [T],
    ranges: &[std::ops::Range<usize>],
    scale: usize,
    f: &(dyn Fn(std::ops::Range<usize>, &mut [T]) + Sync),
) {
    if ranges.len() <= 1 {
        if let Some(r) = ranges.first() {
            f(r.clone(), out);
        }
        return;
    }
    std::thread::scope(|s| {
        let mut rest = out;
        for r in ranges {
            let (head, tail) = rest.split_at_mut((r.end - r.start) * scale);
            rest = tail;
            let r = r.clone();
            s.spawn(move || f(r, head));
        }
    });
}

/// Loss/gradient evaluation with the buffers it needs kept between calls.
struct Evaluator<'a, 'p> {
    p: &'p Problem<'a>,
    xt: Csr,
    /// Per row: the weighted residual p - onehot(y), n_classes wide.
    resid: Vec<f64>,
    /// Per row: weighted cross-entropy.
    row_loss: Vec<f64>,
    row_ranges: Vec<std::ops::Range<usize>>,
    col_ranges: Vec<std::ops::Range<usize>>,
}

impl<'a, 'p> Evaluator<'a, 'p> {
    fn new(p: &'p Problem<'a>, threads: usize) -> Self {
        let n = p.x.n_rows();
        let threads = threads.clamp(1, 64);
        Evaluator {
            p,
            xt: p.x.transpose(),
            resid: vec![0.0; n * p.n_classes],
            row_loss: vec![0.0; n],
            row_ranges: ranges(n, threads),
            col_ranges: ranges(p.x.n_cols, threads),
        }
    }

    fn loss_grad(&mut self, params: &[f64], grad: &mut [f64]) -> f64 {
        let p = self.p;
        let k = p.n_classes;
        let nw = p.x.n_cols * k;
        let (w, b0) = params.split_at(nw);
        // Forward: residuals and losses, row by row.
        let mut rows: Vec<(&mut [f64], &mut [f64])> = Vec::new();
        {
            let mut rr = &mut self.resid[..];
            let mut ll = &mut self.row_loss[..];
            for r in &self.row_ranges {
                let (a, rest_r) = rr.split_at_mut((r.end - r.start) * k);
                let (l, rest_l) = ll.split_at_mut(r.end - r.start);
                rr = rest_r;
                ll = rest_l;
                rows.push((a, l));
            }
        }
        let forward = |r: std::ops::Range<usize>, resid: &mut [f64], losses: &mut [f64]| match k {
            2 => forward_rows::<2>(p, w, b0, r, resid, losses),
            3 => forward_rows::<3>(p, w, b0, r, resid, losses),
            4 => forward_rows::<4>(p, w, b0, r, resid, losses),
            _ => forward_rows_dyn(p, w, b0, r, resid, losses),
        };
        if rows.len() == 1 {
            let (a, l) = rows.pop().expect("one range");
            forward(self.row_ranges[0].clone(), a, l);
        } else {
            std::thread::scope(|s| {
                for (r, (a, l)) in self.row_ranges.iter().zip(rows) {
                    let forward = &forward;
                    let r = r.clone();
                    s.spawn(move || forward(r, a, l));
                }
            });
        }
        // Backward: each weight row j reads only column j of X (row j of X^T).
        let xt = &self.xt;
        let resid = &self.resid;
        let alpha = p.alpha;
        let (gw, gb) = grad.split_at_mut(nw);
        par_chunks(gw, &self.col_ranges, k, &|r, out| match k {
            2 => backward_cols::<2>(xt, resid, w, alpha, r, out),
            3 => backward_cols::<3>(xt, resid, w, alpha, r, out),
            4 => backward_cols::<4>(xt, resid, w, alpha, r, out),
            _ => backward_cols_dyn(xt, resid, w, alpha, k, r, out),
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

fn forward_rows<const K: usize>(
    p: &Problem,
    w: &[f64],
    b0: &[f64],
    r: std::ops::Range<usize>,
    resid: &mut [f64],
    losses: &mut [f64],
) {
    for (o, i) in r.enumerate() {
        let mut z = [0.0f64; K];
        z.copy_from_slice(b0);
        let (idx, val) = p.x.row(i);
        for (&j, &v) in idx.iter().zip(val) {
            let wr: &[f64; K] = w[j as usize * K..j as usize * K + K]
                .try_into()
                .expect("K weights");
            for c in 0..K {
                z[c] += v * wr[c];
            }
        }
        losses[o] = residual(&mut z, p.y[i], p.weights[i]);
        resid[o * K..o * K + K].copy_from_slice(&z);
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

fn backward_cols<const K: usize>(
    xt: &Csr,
    resid: &[f64],
    w: &[f64],
    alpha: f64,
    r: std::ops::Range<usize>,
    out: &mut [f64],
) {
    for (o, j) in r.enumerate() {
        let mut g = [0.0f64; K];
        for c in 0..K {
            g[c] = alpha * w[j * K + c];
        }
        let (idx, val) = xt.row(j);
        for (&i, &v) in idx.iter().zip(val) {
            let ri: &[f64; K] = resid[i as usize * K..i as usize * K + K]
                .try_into()
                .expect("K residuals");
            for c in 0..K {
                g[c] += v * ri[c];
            }
        }
        out[o * K..o * K + K].copy_from_slice(&g);
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

/// Dot product with four independent accumulators so the compiler can keep
/// several multiply-adds in flight (a plain fold is serial in f64).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// [`dot`] of two stored history vectors, accumulated in double precision.
fn dot_hh(a: &[f32], b: &[f32]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        acc[0] += x[0] as f64 * y[0] as f64;
        acc[1] += x[1] as f64 * y[1] as f64;
        acc[2] += x[2] as f64 * y[2] as f64;
        acc[3] += x[3] as f64 * y[3] as f64;
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| *x as f64 * *y as f64).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// [`dot`] of a stored (single-precision) history vector with a full one.
fn dot_h(a: &[f32], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        acc[0] += x[0] as f64 * y[0];
        acc[1] += x[1] as f64 * y[1];
        acc[2] += x[2] as f64 * y[2];
        acc[3] += x[3] as f64 * y[3];
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| *x as f64 * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// y += a * x, for a stored history vector x.
fn axpy_h(y: &mut [f64], a: f64, x: &[f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * *xi as f64;
    }
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Minimises the problem's objective from zero with L-BFGS and a weak-Wolfe
/// bisection line search.
pub fn minimize(p: &Problem, opts: &SolverOptions) -> crate::Result<Solution> {
    let n_params = p.n_params();
    let total_weight: f64 = p.weights.iter().sum();
    if p.x.n_rows() == 0 || total_weight <= 0.0 {
        return Err(crate::Error::Training(
            "no training examples with positive weight".into(),
        ));
    }
    let gtol = opts.tol * total_weight;
    let mut eval = Evaluator::new(p, opts.threads);
    let mut x = vec![0.0; n_params];
    let mut g = vec![0.0; n_params];
    let mut f = eval.loss_grad(&x, &mut g);
    let mut evaluations = 1;
    let mut eval_secs = 0.0;
    // The (s, y) pairs only shape the search direction, so they are kept in
    // single precision: the two-loop recursion is bound by memory traffic
    // over ~10 pairs of parameter-sized vectors. Gradients, weights and the
    // convergence test stay in double precision.
    let mut s_hist: Vec<Vec<f32>> = Vec::new();
    let mut y_hist: Vec<Vec<f32>> = Vec::new();
    let mut rho: Vec<f64> = Vec::new();
    let mut d = vec![0.0; n_params];
    let mut xn = vec![0.0; n_params];
    let mut gn = vec![0.0; n_params];
    let mut converged = max_abs(&g) <= gtol;
    let mut iterations = 0;
    while !converged && iterations < opts.max_iter {
        iterations += 1;
        // Two-loop recursion: d = -H g.
        d.iter_mut().zip(&g).for_each(|(di, gi)| *di = -gi);
        let mut a = vec![0.0; s_hist.len()];
        for i in (0..s_hist.len()).rev() {
            a[i] = rho[i] * dot_h(&s_hist[i], &d);
            axpy_h(&mut d, -a[i], &y_hist[i]);
        }
        let gamma = match (s_hist.last(), y_hist.last()) {
            (Some(s), Some(y)) => dot_hh(s, y) / dot_hh(y, y),
            _ => 1.0 / max_abs(&g).max(1e-12),
        };
        d.iter_mut().for_each(|di| *di *= gamma);
        for i in 0..s_hist.len() {
            let b = rho[i] * dot_h(&y_hist[i], &d);
            axpy_h(&mut d, a[i] - b, &s_hist[i]);
        }
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not a descent direction (numerical trouble): restart from -g.
            s_hist.clear();
            y_hist.clear();
            rho.clear();
            let scale = 1.0 / max_abs(&g).max(1e-12);
            d.iter_mut().zip(&g).for_each(|(di, gi)| *di = -gi * scale);
            slope = dot(&g, &d);
        }
        // Weak Wolfe conditions by bisection/expansion.
        let (c1, c2) = (1e-4, 0.9);
        let (mut lo, mut hi, mut t) = (0.0f64, f64::INFINITY, 1.0f64);
        let mut fnew = f;
        let mut accepted = false;
        for _ in 0..60 {
            xn.iter_mut()
                .zip(x.iter().zip(&d))
                .for_each(|(xi, (x0, di))| *xi = x0 + t * di);
            let te = std::time::Instant::now();
            fnew = eval.loss_grad(&xn, &mut gn);
            eval_secs += te.elapsed().as_secs_f64();
            evaluations += 1;
            if !fnew.is_finite() || fnew > f + c1 * t * slope {
                hi = t;
                t = 0.5 * (lo + hi);
            } else if dot(&gn, &d) < c2 * slope {
                lo = t;
                t = if hi.is_finite() {
                    0.5 * (lo + hi)
                } else {
                    2.0 * t
                };
            } else {
                accepted = true;
                break;
            }
        }
        if !accepted {
            if fnew.is_finite() && fnew < f {
                // Sufficient decrease without curvature: take the step, skip the update.
                std::mem::swap(&mut x, &mut xn);
                std::mem::swap(&mut g, &mut gn);
                f = fnew;
                s_hist.clear();
                y_hist.clear();
                rho.clear();
                continue;
            }
            break;
        }
        // Reuse the oldest pair's buffers once the history is full.
        let (mut s, mut y) = if s_hist.len() == HISTORY {
            rho.remove(0);
            (s_hist.remove(0), y_hist.remove(0))
        } else {
            (vec![0.0f32; n_params], vec![0.0f32; n_params])
        };
        s.iter_mut()
            .zip(xn.iter().zip(&x))
            .for_each(|(si, (a, b))| *si = (a - b) as f32);
        y.iter_mut()
            .zip(gn.iter().zip(&g))
            .for_each(|(yi, (a, b))| *yi = (a - b) as f32);
        // rho from the stored pairs, so the implied Hessian stays consistent.
        let sy = dot_hh(&s, &y);
        let rel_decrease = (f - fnew) / f.abs().max(fnew.abs()).max(1.0);
        std::mem::swap(&mut x, &mut xn);
        std::mem::swap(&mut g, &mut gn);
        f = fnew;
        if sy > 1e-12 {
            rho.push(1.0 / sy);
            s_hist.push(s);
            y_hist.push(y);
        }
        converged = max_abs(&g) <= gtol || rel_decrease < 64.0 * f64::EPSILON;
    }
    if std::env::var_os("STANCEKIT_TRACE").is_some() {
        eprintln!("solver: {eval_secs:.3}s in loss/gradient");
    }
    if !f.is_finite() {
        return Err(crate::Error::Training("the loss became non-finite".into()));
    }
    let nw = p.x.n_cols * p.n_classes;
    let intercept = x.split_off(nw);
    Ok(Solution {
        w: x,
        intercept,
        loss: f,
        iterations,
        evaluations,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> (Csr, Vec<usize>) {
        let rows = vec![
            vec![(0, 1.0), (2, 0.5)],
            vec![(1, 1.0)],
            vec![(0, 0.2), (1, 0.9)],
            vec![(2, 1.0)],
            vec![(0, 0.7), (2, 0.7)],
            vec![(1, 0.3), (2, 0.9)],
        ];
        (Csr::from_rows(&rows, 3), vec![0, 1, 1, 2, 0, 2])
    }

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

    #[test]
    fn thread_count_does_not_change_the_solution() {
        let (x, y) = toy();
        let w = vec![1.0; 6];
        let p = Problem {
            x: &x,
            y: &y,
            weights: &w,
            n_classes: 3,
            alpha: 1.0,
        };
        let a = minimize(
            &p,
            &SolverOptions {
                max_iter: 100,
                tol: 1e-8,
                threads: 1,
            },
        )
        .unwrap();
        let b = minimize(
            &p,
            &SolverOptions {
                max_iter: 100,
                tol: 1e-8,
                threads: 4,
            },
        )
        .unwrap();
        assert_eq!(a.w, b.w);
        assert_eq!(a.intercept, b.intercept);
        assert!(a.converged);
    }
}
