//! A sparse trainer for linfa-logistic's multinomial objective.
//!
//! linfa-logistic's `MultiLogisticRegression` minimises
//! `-sum_i log softmax(x_i W + b)[y_i] + alpha/2 * ||W||^2` (intercept not
//! penalised) with L-BFGS, but only over a dense `Array2`. We minimise the
//! same objective, with optional per-sample weights (for balanced classes),
//! by L-BFGS over a CSR matrix. The forward pass runs over rows and the
//! gradient over columns (via the transpose), so every output is computed by
//! exactly one thread in a fixed order; the L-BFGS vector passes sum per
//! fixed block of parameters (see [`BLOCK`]): the result does not depend on
//! how many threads ran.

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
    fn n_params(&self) -> usize {
        (self.x.n_cols + 1) * self.n_classes
    }

    /// Loss and gradient at `params` (weights then intercepts).
    pub fn loss_grad(&self, params: &[f64], grad: &mut [f64]) -> f64 {
        Evaluator::new(self, &Pool::serial(), 1).loss_grad(params, grad)
    }
}

/// Splits `0..n` into at most `parts` contiguous ranges.
fn ranges(n: usize, parts: usize) -> Vec<std::ops::Range<usize>> {
    let len = n.div_ceil(parts.max(1)).max(1);
    (0..n).step_by(len).map(|s| s..(s + len).min(n)).collect()
}

/// Runs `f` on each part of `out` (split at `ranges`) across the pool.
fn par_chunks<T: Send>(
    pool: &Pool,
    out: &mut [T],
    ranges: &[std::ops::Range<usize>],
    scale: usize,
    f: &(dyn Fn(std::ops::Range<usize>, &mut [T]) + Sync),
) {
    let parts = split_lengths(out, ranges.iter().map(|r| (r.end - r.start) * scale));
    let jobs: Vec<_> = ranges.iter().cloned().zip(parts).collect();
    pool.run_jobs(jobs, &|(r, part)| f(r, part));
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
fn with_simd<R>(f: impl FnOnce() -> R) -> R {
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

/// Loss/gradient evaluation with the buffers it needs kept between calls.
///
/// The kernels for two to four classes number the columns by falling
/// frequency: the forward pass reads one weight row per stored value, and
/// with the frequent features side by side most of those reads hit a few
/// hundred kilobytes that stay in cache rather than the whole weight
/// matrix. Rows keep their values in stored order and columns their rows,
/// so every sum is taken in the same order as without the renumbering and
/// the results are bit for bit the same.
struct Evaluator<'a, 'p> {
    p: &'p Problem<'a>,
    pool: &'p Pool,
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
    fn new(p: &'p Problem<'a>, pool: &'p Pool, parts: usize) -> Self {
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

    fn loss_grad(&mut self, params: &[f64], grad: &mut [f64]) -> f64 {
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
        pool.run_jobs(jobs, &|((r, a), l)| {
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
            .run_jobs(jobs, &|((r, a), l)| forward_rows_dyn(p, w, b0, r, a, l));
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

/// Dot product with four independent accumulators so the compiler can keep
/// several multiply-adds in flight (a plain fold is serial in f64).
#[inline(always)]
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
#[inline(always)]
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
#[inline(always)]
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

#[inline(always)]
fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Parameters per block in the vector passes of [`minimize`]. Every sum over
/// the parameters there is taken per block and then over the blocks in
/// order, so the thread count only decides who computes a block, never the
/// result. 2048 doubles (16 KB) stay in L1 while the stored pairs stream past.
const BLOCK: usize = 2048;

/// Worker threads kept for a whole fit, handing out each pass's jobs.
///
/// A fit makes about 150 passes (two per loss/gradient evaluation, two per
/// iteration). Starting and joining threads for every pass cost more than
/// the passes' work on a busy machine: each new thread has to wait for a
/// core, and the pass waits for it. Here the workers sleep between passes,
/// and the jobs of a pass go to whichever thread asks first, the calling
/// thread included, so a worker that is slow to wake leaves its share to
/// the others rather than holding the pass up. Which thread computes a job
/// never changes its result (see [`BLOCK`] and [`Evaluator`]).
struct Pool {
    shared: Option<std::sync::Arc<Shared>>,
}

struct Shared {
    state: std::sync::Mutex<PassState>,
    /// Workers wait here for a pass (or the end).
    start: std::sync::Condvar,
    /// The calling thread waits here for the last job of a pass.
    done: std::sync::Condvar,
}

/// The running pass's job as the workers see it: its lifetime is erased
/// (see [`Pool::run`] for why that is sound).
type ErasedJob = &'static (dyn Fn(usize) + Sync);

#[derive(Default)]
struct PassState {
    job: Option<ErasedJob>,
    /// Jobs in the pass, the next one to hand out and how many finished.
    count: usize,
    next: usize,
    finished: usize,
    panicked: bool,
    shutdown: bool,
}

impl Pool {
    /// A pool that runs everything on the calling thread.
    fn serial() -> Pool {
        Pool { shared: None }
    }

    /// A pool with `workers` threads besides the calling one, living until
    /// the pool is dropped (which must happen inside `scope`).
    fn new<'s>(scope: &'s std::thread::Scope<'s, '_>, workers: usize) -> Pool {
        if workers == 0 {
            return Pool::serial();
        }
        let shared = std::sync::Arc::new(Shared {
            state: std::sync::Mutex::new(PassState::default()),
            start: std::sync::Condvar::new(),
            done: std::sync::Condvar::new(),
        });
        for _ in 0..workers {
            let shared = shared.clone();
            scope.spawn(move || shared.work(false));
        }
        Pool {
            shared: Some(shared),
        }
    }

    /// Runs `f(0)` .. `f(count - 1)` across the pool; returns when all ran.
    fn run(&self, count: usize, f: &(dyn Fn(usize) + Sync)) {
        let Some(shared) = self.shared.as_ref().filter(|_| count > 1) else {
            (0..count).for_each(f);
            return;
        };
        // SAFETY: only the lifetime changes. Workers take the reference out
        // of the state only together with a job index (under the lock), use
        // it only while running that job, and count the job as finished
        // afterwards; this function returns only once every job has
        // finished and the reference has been taken out of the state again,
        // so no worker can use it after `f`'s borrow ends. Without this, a
        // persistent thread could not run closures borrowing the pass's
        // local buffers (std's scoped threads join at the end of a scope,
        // which is the per-pass spawning this pool replaces).
        let erased: ErasedJob =
            unsafe { std::mem::transmute::<&(dyn Fn(usize) + Sync), ErasedJob>(f) };
        {
            let mut st = shared.lock();
            st.job = Some(erased);
            (st.count, st.next, st.finished, st.panicked) = (count, 0, 0, false);
        }
        shared.start.notify_all();
        shared.work(true);
        let mut st = shared.lock();
        while st.finished < st.count {
            st = shared
                .done
                .wait(st)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        st.job = None;
        if st.panicked {
            drop(st);
            panic!("a solver worker thread panicked");
        }
    }

    /// Runs every job, each with its own (disjoint) part of the buffers.
    fn run_jobs<J: Send>(&self, jobs: Vec<J>, f: &(dyn Fn(J) + Sync)) {
        if self.shared.is_none() || jobs.len() < 2 {
            jobs.into_iter().for_each(f);
            return;
        }
        let slots: Vec<std::sync::Mutex<Option<J>>> = jobs
            .into_iter()
            .map(|j| std::sync::Mutex::new(Some(j)))
            .collect();
        self.run(slots.len(), &|i| {
            let job = slots[i].lock().ok().and_then(|mut j| j.take());
            if let Some(job) = job {
                f(job);
            }
        });
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        if let Some(shared) = &self.shared {
            shared.lock().shutdown = true;
            shared.start.notify_all();
        }
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, PassState> {
        // Jobs run outside the lock, so it is never poisoned by a job.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes and runs jobs of the current pass. The calling thread
    /// (`caller`) returns when none are left to take; a worker then sleeps
    /// until the next pass, and returns at shutdown.
    fn work(&self, caller: bool) {
        let mut st = self.lock();
        loop {
            if st.shutdown {
                return;
            }
            match st.job {
                Some(job) if st.next < st.count => {
                    let i = st.next;
                    st.next += 1;
                    drop(st);
                    let ok =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(i))).is_ok();
                    st = self.lock();
                    st.panicked |= !ok;
                    st.finished += 1;
                    if st.finished == st.count {
                        self.done.notify_all();
                    }
                }
                _ if caller => return,
                _ => {
                    st = self
                        .start
                        .wait(st)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
            }
        }
    }
}

/// Cuts `v` into consecutive pieces of the given lengths.
fn split_lengths<T>(mut v: &mut [T], lens: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    let mut out = Vec::new();
    for len in lens {
        let (head, tail) = v.split_at_mut(len);
        out.push(head);
        v = tail;
    }
    out
}

/// A search direction by its coefficients over the basis {g, s_i, y_i}
/// (history indexed by slot): d = g * c.g + sum_i s_i * c.s[i] + y_i * c.y[i].
#[derive(Debug, Clone, Copy)]
struct Coefs {
    g: f64,
    s: [f64; HISTORY],
    y: [f64; HISTORY],
}

/// The L-BFGS memory, worked with in the coefficient space of its pairs and
/// the gradient ("vector-free" L-BFGS). The two-loop recursion needs only
/// dot products between those vectors, kept here: one pass over the pairs
/// per iteration brings them up to date, one more forms the direction. The
/// textbook recursion on vectors instead reads and rewrites the direction
/// forty times per iteration, and each of its dot products is a barrier.
struct Memory {
    /// The (s, y) pairs by slot. They only shape the search direction, so
    /// they are kept in single precision: the passes over them are bound by
    /// memory traffic. Gradients, weights and the convergence test stay in
    /// double precision.
    s: Vec<Vec<f32>>,
    y: Vec<Vec<f32>>,
    /// Slots in use, oldest pair first.
    order: Vec<usize>,
    /// By slot: `sy[i][j]` = s_i . y_j and `yy[i][j]` = y_i . y_j.
    sy: [[f64; HISTORY]; HISTORY],
    yy: [[f64; HISTORY]; HISTORY],
    /// By slot: s_i . g and y_i . g for the current gradient.
    sg: [f64; HISTORY],
    yg: [f64; HISTORY],
}

impl Memory {
    fn new() -> Memory {
        Memory {
            s: vec![Vec::new(); HISTORY],
            y: vec![Vec::new(); HISTORY],
            order: Vec::with_capacity(HISTORY),
            sy: [[0.0; HISTORY]; HISTORY],
            yy: [[0.0; HISTORY]; HISTORY],
            sg: [0.0; HISTORY],
            yg: [0.0; HISTORY],
        }
    }

    /// The two-loop recursion d = -H g on coefficients. Without pairs the
    /// direction is -g scaled by `first_scale`.
    fn direction(&self, first_scale: f64) -> Coefs {
        let mut c = Coefs {
            g: -1.0,
            s: [0.0; HISTORY],
            y: [0.0; HISTORY],
        };
        let Some(&last) = self.order.last() else {
            c.g = -first_scale;
            return c;
        };
        let mut a = [0.0; HISTORY];
        for &i in self.order.iter().rev() {
            // s_i . d; d has no s terms yet.
            let mut sd = c.g * self.sg[i];
            for &l in &self.order {
                sd += c.y[l] * self.sy[i][l];
            }
            a[i] = sd / self.sy[i][i];
            c.y[i] -= a[i];
        }
        let gamma = self.sy[last][last] / self.yy[last][last];
        c.g *= gamma;
        for &l in &self.order {
            c.y[l] *= gamma;
        }
        for &i in &self.order {
            let mut yd = c.g * self.yg[i];
            for &l in &self.order {
                yd += c.y[l] * self.yy[i][l] + c.s[l] * self.sy[l][i];
            }
            c.s[i] += a[i] - yd / self.sy[i][i];
        }
        c
    }

    fn clear(&mut self) {
        self.order.clear();
    }
}

/// The direction pass over one thread's blocks: d from its coefficients,
/// the first trial point x + d, and per block g . d.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn direction_pass(
    mem: &Memory,
    c: &Coefs,
    g: &[f64],
    x: &[f64],
    first: usize,
    d: &mut [f64],
    xn: &mut [f64],
    slopes: &mut [f64],
) {
    let base = first * BLOCK;
    for (b, ((db, xb), slope)) in d
        .chunks_mut(BLOCK)
        .zip(xn.chunks_mut(BLOCK))
        .zip(slopes.iter_mut())
        .enumerate()
    {
        let r = base + b * BLOCK..base + b * BLOCK + db.len();
        let gb = &g[r.clone()];
        for (di, gi) in db.iter_mut().zip(gb) {
            *di = c.g * gi;
        }
        for &i in &mem.order {
            let (cs, cy) = (c.s[i], c.y[i]);
            for ((di, si), yi) in db
                .iter_mut()
                .zip(&mem.s[i][r.clone()])
                .zip(&mem.y[i][r.clone()])
            {
                *di += cs * *si as f64 + cy * *yi as f64;
            }
        }
        for ((xi, x0), di) in xb.iter_mut().zip(&x[r.clone()]).zip(db.iter()) {
            *xi = x0 + di;
        }
        *slope = dot(gb, db);
    }
}

/// The update pass over one thread's blocks: stores the new pair s = t d
/// (the step, without x + t d - x's rounding), y = gn - g, and writes per block the dot products the memory needs with
/// the new gradient (`width` values, see [`minimize`]).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn update_pass(
    pairs: &[(&[f32], &[f32])],
    (t, d, gn, g): (f64, &[f64], &[f64], &[f64]),
    first: usize,
    s_new: &mut [f32],
    y_new: &mut [f32],
    width: usize,
    out: &mut [f64],
) {
    let base = first * BLOCK;
    for (b, ((sb, yb), o)) in s_new
        .chunks_mut(BLOCK)
        .zip(y_new.chunks_mut(BLOCK))
        .zip(out.chunks_mut(width))
        .enumerate()
    {
        let r = base + b * BLOCK..base + b * BLOCK + sb.len();
        for (si, di) in sb.iter_mut().zip(&d[r.clone()]) {
            *si = (t * di) as f32;
        }
        for ((yi, a), b) in yb.iter_mut().zip(&gn[r.clone()]).zip(&g[r.clone()]) {
            *yi = (a - b) as f32;
        }
        let gb = &gn[r.clone()];
        for (k, (s, y)) in pairs.iter().enumerate() {
            o[2 * k] = dot_h(&s[r.clone()], gb);
            o[2 * k + 1] = dot_h(&y[r.clone()], gb);
        }
        let k = pairs.len();
        o[2 * k] = dot_h(sb, gb);
        o[2 * k + 1] = dot_h(yb, gb);
        o[2 * k + 2] = dot_hh(sb, yb);
        o[2 * k + 3] = dot_hh(yb, yb);
        o[2 * k + 4] = max_abs(gb);
    }
}

/// Splits the blocks of `n` parameters into `parts` jobs: (first block,
/// number of blocks) per job.
fn block_shares(n: usize, parts: usize) -> Vec<(usize, usize)> {
    ranges(n.div_ceil(BLOCK), parts)
        .into_iter()
        .map(|r| (r.start, r.end - r.start))
        .collect()
}

/// Parameters in blocks `first..first + count`.
fn block_len(n: usize, (first, count): (usize, usize)) -> usize {
    ((first + count) * BLOCK).min(n) - first * BLOCK
}

/// Minimises the problem's objective from zero with L-BFGS and a weak-Wolfe
/// bisection line search.
pub fn minimize(p: &Problem, opts: &SolverOptions) -> crate::Result<Solution> {
    minimize_keeping_memory(p, opts).map(|(s, _)| s)
}

/// [`minimize`], also returning the final L-BFGS memory (for tests).
fn minimize_keeping_memory(p: &Problem, opts: &SolverOptions) -> crate::Result<(Solution, Memory)> {
    let threads = opts.threads.clamp(1, 64);
    // Several jobs per thread and pass, so that the threads that are
    // running take over the share of one that is not (see [`Pool`]).
    let parts = if threads > 1 { 4 * threads } else { 1 };
    std::thread::scope(|scope| {
        let pool = Pool::new(scope, threads - 1);
        lbfgs(p, opts, &pool, parts)
    })
}

/// [`minimize_keeping_memory`] with its threads, each pass cut into `parts` jobs.
fn lbfgs(
    p: &Problem,
    opts: &SolverOptions,
    pool: &Pool,
    parts: usize,
) -> crate::Result<(Solution, Memory)> {
    let n_params = p.n_params();
    let total_weight: f64 = p.weights.iter().sum();
    if p.x.n_rows() == 0 || total_weight <= 0.0 {
        return Err(crate::Error::Training(
            "no training examples with positive weight".into(),
        ));
    }
    let gtol = opts.tol * total_weight;
    let tset = std::time::Instant::now();
    let mut eval = Evaluator::new(p, pool, parts);
    let setup_secs = tset.elapsed().as_secs_f64();
    let shares = block_shares(n_params, parts);
    let n_blocks = n_params.div_ceil(BLOCK);
    let mut x = vec![0.0; n_params];
    let mut g = vec![0.0; n_params];
    let mut f = eval.loss_grad(&x, &mut g);
    let mut evaluations = 1;
    let mut eval_secs = 0.0;
    let (mut dir_secs, mut up_secs) = (0.0, 0.0);
    let mut mem = Memory::new();
    let mut d = vec![0.0; n_params];
    let mut xn = vec![0.0; n_params];
    let mut gn = vec![0.0; n_params];
    let mut slopes = vec![0.0; n_blocks];
    let mut dots: Vec<f64> = Vec::new();
    let mut gmax = max_abs(&g);
    let mut converged = gmax <= gtol;
    let mut iterations = 0;
    // Forms d from its coefficients and the first trial point x + d;
    // returns g . d.
    let direction = |mem: &Memory,
                     c: &Coefs,
                     g: &[f64],
                     x: &[f64],
                     d: &mut [f64],
                     xn: &mut [f64],
                     slopes: &mut [f64]| {
        let lens = || shares.iter().map(|&sh| block_len(n_params, sh));
        let jobs: Vec<_> = shares
            .iter()
            .zip(split_lengths(d, lens()))
            .zip(split_lengths(xn, lens()))
            .zip(split_lengths(slopes, shares.iter().map(|&(_, k)| k)))
            .map(|(((&(first, _), d), xn), sl)| (first, d, xn, sl))
            .collect();
        pool.run_jobs(jobs, &|(first, d, xn, sl)| {
            with_simd(
                #[inline(always)]
                || direction_pass(mem, c, g, x, first, d, xn, sl),
            )
        });
        slopes.iter().sum::<f64>()
    };
    while !converged && iterations < opts.max_iter {
        iterations += 1;
        let tdir = std::time::Instant::now();
        let mut c = mem.direction(1.0 / gmax.max(1e-12));
        let mut slope = direction(&mem, &c, &g, &x, &mut d, &mut xn, &mut slopes);
        if slope >= 0.0 {
            // Not a descent direction (numerical trouble): restart from -g.
            mem.clear();
            c = mem.direction(1.0 / gmax.max(1e-12));
            slope = direction(&mem, &c, &g, &x, &mut d, &mut xn, &mut slopes);
        }
        dir_secs += tdir.elapsed().as_secs_f64();
        // Weak Wolfe conditions by bisection/expansion; the first trial
        // point (t = 1) is already in xn.
        let (c1, c2) = (1e-4, 0.9);
        let (mut lo, mut hi, mut t) = (0.0f64, f64::INFINITY, 1.0f64);
        let mut fnew = f;
        let mut accepted = false;
        for trial in 0..60 {
            if trial > 0 {
                xn.iter_mut()
                    .zip(x.iter().zip(&d))
                    .for_each(|(xi, (x0, di))| *xi = x0 + t * di);
            }
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
                gmax = max_abs(&g);
                mem.clear();
                continue;
            }
            break;
        }
        // The new pair takes the oldest pair's slot once the memory is full.
        let tup = std::time::Instant::now();
        let old_order = mem.order.clone();
        let slot = if mem.order.len() == HISTORY {
            mem.order.remove(0)
        } else {
            (0..HISTORY)
                .find(|i| !mem.order.contains(i))
                .expect("a free slot")
        };
        let mut s_new = std::mem::take(&mut mem.s[slot]);
        let mut y_new = std::mem::take(&mut mem.y[slot]);
        s_new.resize(n_params, 0.0);
        y_new.resize(n_params, 0.0);
        // Per block: s_i . gn and y_i . gn for the kept pairs (oldest
        // first), then for the new pair, then s.y and y.y of the new pair
        // and max |gn|.
        let kept = mem.order.len();
        let width = 2 * kept + 5;
        dots.clear();
        dots.resize(n_blocks * width, 0.0);
        {
            let pairs: Vec<(&[f32], &[f32])> = mem
                .order
                .iter()
                .map(|&i| (&mem.s[i][..], &mem.y[i][..]))
                .collect();
            let lens = || shares.iter().map(|&sh| block_len(n_params, sh));
            let jobs: Vec<_> = shares
                .iter()
                .zip(split_lengths(&mut s_new, lens()))
                .zip(split_lengths(&mut y_new, lens()))
                .zip(split_lengths(
                    &mut dots,
                    shares.iter().map(|&(_, k)| k * width),
                ))
                .map(|(((&(first, _), s), y), o)| (first, s, y, o))
                .collect();
            let vecs = (t, &d[..], &gn[..], &g[..]);
            pool.run_jobs(jobs, &|(first, s, y, o)| {
                with_simd(
                    #[inline(always)]
                    || update_pass(&pairs, vecs, first, s, y, width, o),
                )
            });
        }
        let mut sums = vec![0.0; width];
        for block in dots.chunks_exact(width) {
            for (acc, v) in sums.iter_mut().zip(block) {
                *acc += v;
            }
        }
        gmax = dots
            .chunks_exact(width)
            .fold(0.0, |m, b| m.max(b[width - 1]));
        mem.s[slot] = s_new;
        mem.y[slot] = y_new;
        let (sy_new, yy_new) = (sums[2 * kept + 2], sums[2 * kept + 3]);
        let rel_decrease = (f - fnew) / f.abs().max(fnew.abs()).max(1.0);
        std::mem::swap(&mut x, &mut xn);
        std::mem::swap(&mut g, &mut gn);
        f = fnew;
        // The products of the new pair with the kept ones, without touching
        // the vectors: s_new = t d, and y_new . v = gn . v - g . v. They
        // are computed before the freed slot's old entries are overwritten.
        let mut s_new_y = [0.0; HISTORY];
        let mut s_y_new = [0.0; HISTORY];
        let mut y_y_new = [0.0; HISTORY];
        for (k, &l) in mem.order.iter().enumerate() {
            let mut dy = c.g * mem.yg[l];
            for &i in &old_order {
                dy += c.s[i] * mem.sy[i][l] + c.y[i] * mem.yy[i][l];
            }
            s_new_y[l] = t * dy;
            s_y_new[l] = sums[2 * k] - mem.sg[l];
            y_y_new[l] = sums[2 * k + 1] - mem.yg[l];
        }
        for (k, &l) in mem.order.iter().enumerate() {
            mem.sy[slot][l] = s_new_y[l];
            mem.sy[l][slot] = s_y_new[l];
            mem.yy[slot][l] = y_y_new[l];
            mem.yy[l][slot] = y_y_new[l];
            mem.sg[l] = sums[2 * k];
            mem.yg[l] = sums[2 * k + 1];
        }
        if sy_new > 1e-12 {
            mem.sy[slot][slot] = sy_new;
            mem.yy[slot][slot] = yy_new;
            mem.sg[slot] = sums[2 * kept];
            mem.yg[slot] = sums[2 * kept + 1];
            mem.order.push(slot);
        }
        up_secs += tup.elapsed().as_secs_f64();
        converged = gmax <= gtol || rel_decrease < 64.0 * f64::EPSILON;
    }
    if !f.is_finite() {
        return Err(crate::Error::Training("the loss became non-finite".into()));
    }
    let nw = p.x.n_cols * p.n_classes;
    let intercept = x.split_off(nw);
    let solution = Solution {
        w: x,
        intercept,
        loss: f,
        iterations,
        evaluations,
        converged,
        timings: SolverTimings {
            loss_and_gradient: eval_secs,
            directions: dir_secs,
            memory_updates: up_secs,
            setup: setup_secs,
        },
    };
    Ok((solution, mem))
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

    #[test]
    fn avx2_and_baseline_kernels_give_the_same_model() {
        // The shipped models are retrained in CI and compared byte for byte
        // with the committed ones, on whatever processor CI has: the two
        // builds of the kernels must agree to the last bit. (The kernels
        // are vectorised by the optimiser, so this bites in release test
        // builds; `cargo test --release --lib solver` passes.)
        let (x, y) = larger();
        let w: Vec<f64> = (0..y.len()).map(|i| 1.0 + (i % 3) as f64 * 0.25).collect();
        for n_classes in [2, 3, 4, 5] {
            let y: Vec<usize> = y.iter().map(|&c| c % n_classes).collect();
            let p = Problem {
                x: &x,
                y: &y,
                weights: &w,
                n_classes,
                alpha: 0.3,
                order: None,
            };
            let opts = SolverOptions {
                max_iter: 60,
                tol: 1e-9,
                threads: 1,
            };
            let simd = minimize(&p, &opts).unwrap();
            SCALAR_ONLY.with(|c| c.set(true));
            let baseline = minimize(&p, &opts).unwrap();
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
        let (x, y) = toy();
        let w = vec![1.0; 6];
        let p = Problem {
            x: &x,
            y: &y,
            weights: &w,
            n_classes: 3,
            alpha: 1.0,
            order: None,
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

    #[test]
    fn every_job_runs_once_and_a_panic_reaches_the_caller() {
        let hits: Vec<_> = (0..37)
            .map(|_| std::sync::atomic::AtomicUsize::new(0))
            .collect();
        std::thread::scope(|s| {
            let pool = Pool::new(s, 2);
            for _ in 0..20 {
                pool.run(hits.len(), &|i| {
                    hits[i].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                });
            }
        });
        assert!(hits
            .iter()
            .all(|h| h.load(std::sync::atomic::Ordering::Relaxed) == 20));
        let caught = std::panic::catch_unwind(|| {
            std::thread::scope(|s| {
                let pool = Pool::new(s, 2);
                pool.run(8, &|i| assert_ne!(i, 5));
            })
        });
        assert!(caught.is_err());
    }

    /// Deterministic pseudo-random numbers in [0, 1).
    fn lcg(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A problem needing more iterations than the memory holds pairs, and
    /// more parameters than one block.
    fn larger() -> (Csr, Vec<usize>) {
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

    #[test]
    fn memory_products_stay_those_of_the_stored_pairs() {
        let (x, y) = larger();
        let w = vec![1.0; y.len()];
        let p = Problem {
            x: &x,
            y: &y,
            weights: &w,
            n_classes: 3,
            alpha: 0.01,
            order: None,
        };
        let opts = SolverOptions {
            max_iter: 1000,
            tol: 1e-10,
            threads: 3,
        };
        let (sol, mem) = minimize_keeping_memory(&p, &opts).unwrap();
        assert!(
            sol.iterations > 2 * HISTORY,
            "{} iterations",
            sol.iterations
        );
        assert!(mem.order.len() > 1);
        let mut params = sol.w.clone();
        params.extend_from_slice(&sol.intercept);
        let mut g = vec![0.0; params.len()];
        p.loss_grad(&params, &mut g);
        // Products derived from the step and the gradients rather than
        // from the stored vectors agree with the stored vectors up to their
        // single-precision rounding.
        let close = |a: f64, b: f64, scale: f64| (a - b).abs() <= 1e-5 * scale;
        for &i in &mem.order {
            let (si, yi) = (&mem.s[i], &mem.y[i]);
            let norm = |v: &[f32]| dot_hh(v, v).sqrt();
            let gnorm = dot(&g, &g).sqrt();
            assert!(close(mem.sg[i], dot_h(si, &g), norm(si) * gnorm));
            assert!(close(mem.yg[i], dot_h(yi, &g), norm(yi) * gnorm));
            for &j in &mem.order {
                let yj = &mem.y[j];
                assert!(close(mem.sy[i][j], dot_hh(si, yj), norm(si) * norm(yj)));
                assert!(close(mem.yy[i][j], dot_hh(yi, yj), norm(yi) * norm(yj)));
            }
        }
    }

    #[test]
    fn direction_matches_the_two_loop_recursion() {
        let n = 3 * BLOCK + 17;
        let mut st = 11;
        let mut mem = Memory::new();
        let mut vecs: Vec<(Vec<f64>, Vec<f64>)> = Vec::new();
        for slot in [3, 0, 7, 5] {
            // Pairs with s . y > 0, as the line search guarantees.
            let s: Vec<f32> = (0..n).map(|_| (lcg(&mut st) - 0.5) as f32).collect();
            let y: Vec<f32> = s
                .iter()
                .map(|&v| v * 2.0 + (lcg(&mut st) - 0.5) as f32 * 0.3)
                .collect();
            vecs.push((
                s.iter().map(|&v| v as f64).collect(),
                y.iter().map(|&v| v as f64).collect(),
            ));
            mem.s[slot] = s;
            mem.y[slot] = y;
            mem.order.push(slot);
        }
        let g: Vec<f64> = (0..n).map(|_| lcg(&mut st) - 0.5).collect();
        for &i in &mem.order {
            mem.sg[i] = dot_h(&mem.s[i], &g);
            mem.yg[i] = dot_h(&mem.y[i], &g);
            for &j in &mem.order {
                mem.sy[i][j] = dot_hh(&mem.s[i], &mem.y[j]);
                mem.yy[i][j] = dot_hh(&mem.y[i], &mem.y[j]);
            }
        }
        let c = mem.direction(1.0);
        let mut d = vec![0.0; n];
        let mut xn = vec![0.0; n];
        let mut slopes = vec![0.0; n.div_ceil(BLOCK)];
        direction_pass(&mem, &c, &g, &vec![0.0; n], 0, &mut d, &mut xn, &mut slopes);
        // The textbook recursion on vectors.
        let mut q: Vec<f64> = g.iter().map(|v| -v).collect();
        let mut a = Vec::new();
        for (s, y) in vecs.iter().rev() {
            let ai = dot(s, &q) / dot(s, y);
            q.iter_mut().zip(y).for_each(|(qi, yi)| *qi -= ai * yi);
            a.push(ai);
        }
        a.reverse();
        let (s, y) = vecs.last().unwrap();
        let gamma = dot(s, y) / dot(y, y);
        q.iter_mut().for_each(|qi| *qi *= gamma);
        for ((s, y), ai) in vecs.iter().zip(&a) {
            let b = dot(y, &q) / dot(s, y);
            q.iter_mut()
                .zip(s)
                .for_each(|(qi, si)| *qi += (ai - b) * si);
        }
        let scale = dot(&q, &q).sqrt();
        for (u, v) in d.iter().zip(&q) {
            assert!((u - v).abs() <= 1e-9 * scale, "{u} vs {v}");
        }
        assert_eq!(xn, d);
        assert!((slopes.iter().sum::<f64>() - dot(&g, &q)).abs() <= 1e-9 * scale);
    }
}
