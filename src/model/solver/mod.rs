//! A sparse trainer for linfa-logistic's multinomial objective.
//!
//! linfa-logistic's `MultiLogisticRegression` minimises
//! `-sum_i log softmax(x_i W + b)[y_i] + alpha/2 * ||W||^2` (intercept not
//! penalised) with L-BFGS, but only over a dense `Array2`. We minimise the
//! same objective, with optional per-sample weights (for balanced classes),
//! by L-BFGS over a CSR matrix. The forward pass runs over rows and the
//! gradient over columns (via the transpose), so every output is computed by
//! exactly one thread in a fixed order; the L-BFGS vector passes sum per
//! fixed block of parameters (see `BLOCK` in `lbfgs.rs`): the result does not
//! depend on how many threads ran.
//!
//! - `loss.rs`: the objective's loss and gradient (the forward and backward
//!   passes over the matrix);
//! - `lbfgs.rs`: L-BFGS in the coefficient space of its memory, and its
//!   line search;
//! - here: the problem, the options and the solution, the passes' thread
//!   pool ([`Par`]), and the vector kernels both use.

mod lbfgs;
mod loss;

use super::sparse::Csr;
use loss::Evaluator;
use rayon::prelude::*;

pub struct Problem<'a> {
    pub x: &'a Csr,
    /// Class index of every row.
    pub y: &'a [usize],
    /// Weight of every row (1.0 for unweighted training).
    pub weights: &'a [f64],
    pub n_classes: usize,
    pub alpha: f64,
    /// Set when `x`'s stored columns were already renumbered by
    /// [`Csr::columns_by_frequency`] (2 to 4 classes only): stored column
    /// `n` is feature `order[n]`. The solver then uses `x` as it is instead
    /// of keeping a renumbered copy of its column indices (4 bytes a value
    /// of a large training matrix). The result is the same bits either way.
    pub order: Option<&'a [u32]>,
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
    /// Where the solver's time went, for `train`'s trace.
    pub timings: SolverTimings,
}

/// Seconds spent in each part of the solve.
#[derive(Debug, Clone, Copy, Default)]
pub struct SolverTimings {
    pub loss_and_gradient: f64,
    pub directions: f64,
    pub memory_updates: f64,
    pub setup: f64,
}

impl Problem<'_> {
    pub(super) fn n_params(&self) -> usize {
        (self.x.n_cols + 1) * self.n_classes
    }

    /// Loss and gradient at `params` (weights then intercepts).
    pub fn loss_grad(&self, params: &[f64], grad: &mut [f64]) -> f64 {
        Evaluator::new(self, &Par::serial(), 1).loss_grad(params, grad)
    }
}

/// Splits `0..n` into at most `parts` contiguous ranges.
pub(super) fn ranges(n: usize, parts: usize) -> Vec<std::ops::Range<usize>> {
    let len = n.div_ceil(parts.max(1)).max(1);
    (0..n).step_by(len).map(|s| s..(s + len).min(n)).collect()
}

/// Cuts `v` into consecutive pieces of the given lengths.
pub(super) fn split_lengths<T>(
    mut v: &mut [T],
    lens: impl Iterator<Item = usize>,
) -> Vec<&mut [T]> {
    let mut out = Vec::new();
    for len in lens {
        let (head, tail) = v.split_at_mut(len);
        out.push(head);
        v = tail;
    }
    out
}

/// Where a pass's jobs run: on the calling thread, or on a rayon pool of
/// `--threads` threads kept for the whole fit (a fit makes hundreds of
/// passes, and starting threads for each would cost more than their work
/// on a busy machine). Which thread runs a job never changes its result:
/// each job writes its own part of the output, and every sum across jobs
/// is taken afterwards, in job order (see `BLOCK` in `lbfgs.rs` and
/// [`Evaluator`]), so models are the same bytes for any thread count.
pub(super) struct Par {
    pool: Option<rayon::ThreadPool>,
}

impl Par {
    /// Everything on the calling thread.
    pub(super) fn serial() -> Par {
        Par { pool: None }
    }

    /// A pool of `threads` threads (one: the calling thread alone).
    fn new(threads: usize) -> crate::Result<Par> {
        if threads <= 1 {
            return Ok(Par::serial());
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("stancekit-solver-{i}"))
            .build()
            .map_err(|e| {
                crate::Error::Training(format!("cannot start {threads} solver threads: {e}"))
            })?;
        Ok(Par { pool: Some(pool) })
    }

    /// Runs every job, each with its own (disjoint) part of the buffers;
    /// returns when all ran. A job's panic reaches the caller.
    pub(super) fn run_jobs<J: Send>(&self, jobs: Vec<J>, f: impl Fn(J) + Sync + Send) {
        match &self.pool {
            Some(pool) if jobs.len() > 1 => pool.install(|| jobs.into_par_iter().for_each(f)),
            _ => jobs.into_iter().for_each(f),
        }
    }
}

/// Runs `f` compiled for AVX2 when the processor has it, else as built.
///
/// The kernels are inlined into `f`, so they are compiled twice. Wider
/// registers change which instructions run, not the arithmetic: Rust never
/// fuses a multiply and an add, and every sum keeps its order (the
/// four-accumulator dot products become one four-lane register), so both
/// versions give bit-identical results. The build targets baseline x86-64
/// (two doubles per register); AVX2 halves the instructions of the L-BFGS
/// memory passes and the loss/gradient kernels.
#[inline(always)]
pub(super) fn with_simd<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2")]
        fn avx2<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        if std::arch::is_x86_feature_detected!("avx2") && !tests::scalar_only() {
            // SAFETY: the processor supports AVX2 (checked just above),
            // which is all `avx2` requires.
            return unsafe { avx2(f) };
        }
    }
    f()
}

#[cfg(not(test))]
mod tests {
    /// Only tests ask for the baseline kernels on an AVX2 processor.
    #[inline(always)]
    pub(super) fn scalar_only() -> bool {
        false
    }
}

/// Dot product with four independent accumulators so the compiler can keep
/// several multiply-adds in flight (a plain fold is serial in f64).
#[inline(always)]
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
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
#[inline(always)]
pub(super) fn dot_hh(a: &[f32], b: &[f32]) -> f64 {
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
#[inline(always)]
pub(super) fn dot_h(a: &[f32], b: &[f64]) -> f64 {
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

#[inline(always)]
pub(super) fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Minimises the problem's objective from zero with L-BFGS and a weak-Wolfe
/// bisection line search.
pub fn minimize(p: &Problem, opts: &SolverOptions) -> crate::Result<Solution> {
    lbfgs::minimize_keeping_memory(p, opts).map(|(s, _)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Set by a test to run the kernels as built for baseline x86-64
        /// on this thread (with `threads: 1` every pass runs on it).
        static SCALAR_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    pub(super) fn scalar_only() -> bool {
        SCALAR_ONLY.with(|c| c.get())
    }

    pub(super) fn toy() -> (Csr, Vec<usize>) {
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

    /// Fits [`larger`] with `n_classes` labels and unequal row weights.
    fn fit_larger(n_classes: usize, opts: &SolverOptions) -> Solution {
        let (x, y) = larger();
        let y: Vec<usize> = y.iter().map(|&c| c % n_classes).collect();
        let w: Vec<f64> = (0..y.len()).map(|i| 1.0 + (i % 3) as f64 * 0.25).collect();
        let p = Problem {
            x: &x,
            y: &y,
            weights: &w,
            n_classes,
            alpha: 0.3,
            order: None,
        };
        minimize(&p, opts).unwrap()
    }

    #[test]
    fn avx2_and_baseline_kernels_give_the_same_model() {
        // The shipped models are retrained in CI and compared byte for byte
        // with the committed ones, on whatever processor CI has: the two
        // builds of the kernels must agree to the last bit. (The kernels
        // are vectorised by the optimiser, so this bites in release test
        // builds; `cargo test --release --lib solver` passes.)
        let opts = SolverOptions {
            max_iter: 60,
            tol: 1e-9,
            threads: 1,
        };
        for n_classes in [2, 3, 4, 5] {
            let simd = fit_larger(n_classes, &opts);
            SCALAR_ONLY.with(|c| c.set(true));
            let baseline = fit_larger(n_classes, &opts);
            SCALAR_ONLY.with(|c| c.set(false));
            assert_eq!(simd.w, baseline.w, "{n_classes} classes");
            assert_eq!(simd.intercept, baseline.intercept, "{n_classes} classes");
        }
    }

    #[test]
    fn a_matrix_renumbered_in_place_gives_the_same_solution_bit_for_bit() {
        let (x, y) = larger();
        let w: Vec<f64> = (0..y.len()).map(|i| 0.5 + (i % 3) as f64).collect();
        let opts = SolverOptions {
            max_iter: 60,
            tol: 1e-9,
            threads: 2,
        };
        let plain = Problem {
            x: &x,
            y: &y,
            weights: &w,
            n_classes: 3,
            alpha: 0.3,
            order: None,
        };
        let a = minimize(&plain, &opts).unwrap();
        let (renumbered, order) = x.clone().renumbered_by_frequency();
        assert_ne!(renumbered, x, "the test needs columns that move");
        let b = minimize(
            &Problem {
                x: &renumbered,
                order: Some(&order),
                ..plain
            },
            &opts,
        )
        .unwrap();
        assert_eq!(a.w, b.w);
        assert_eq!(a.intercept, b.intercept);
        assert_eq!(a.loss.to_bits(), b.loss.to_bits());
        assert_eq!(a.iterations, b.iterations);
    }

    #[test]
    fn thread_count_does_not_change_the_solution() {
        // Several jobs per pass, every kernel (2 to 5 classes), more
        // parameters than one block, and more iterations than the memory
        // holds pairs: what the pool's scheduling could change, if any sum
        // depended on which thread ran what.
        for n_classes in [2, 3, 4, 5] {
            let fit = |threads| {
                let opts = SolverOptions {
                    max_iter: 80,
                    tol: 1e-10,
                    threads,
                };
                fit_larger(n_classes, &opts)
            };
            let one = fit(1);
            assert!(one.iterations > 2 * 10, "{} iterations", one.iterations);
            for threads in [2, 3] {
                let more = fit(threads);
                assert_eq!(one.w, more.w, "{n_classes} classes, {threads} threads");
                assert_eq!(one.intercept, more.intercept);
                assert_eq!(one.loss.to_bits(), more.loss.to_bits());
                assert_eq!(one.iterations, more.iterations);
            }
        }
    }

    /// Deterministic pseudo-random numbers in [0, 1).
    pub(super) fn lcg(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A problem needing more iterations than the memory holds pairs, and
    /// more parameters than one block.
    pub(super) fn larger() -> (Csr, Vec<usize>) {
        let mut st = 7;
        let (n_rows, n_cols) = (300, 1500);
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for i in 0..n_rows {
            let mut row: Vec<(u32, f64)> = (0..12)
                .map(|_| ((lcg(&mut st) * n_cols as f64) as u32, lcg(&mut st)))
                .collect();
            row.sort_by_key(|e| e.0);
            row.dedup_by_key(|e| e.0);
            rows.push(row);
            y.push(i % 3);
        }
        (Csr::from_rows(&rows, n_cols), y)
    }
}
