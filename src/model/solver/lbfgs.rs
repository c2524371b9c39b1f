//! L-BFGS with a weak-Wolfe bisection line search, worked in the
//! coefficient space of its memory ("vector-free" L-BFGS): per iteration one
//! parallel pass forms the direction and one updates the memory's dot
//! products, each summing per fixed block of parameters.

use super::loss::Evaluator;
use super::{
    dot, dot_h, dot_hh, max_abs, ranges, split_lengths, with_simd, Par, Problem, Solution,
    SolverOptions, SolverTimings,
};

/// Pairs kept by L-BFGS (as linfa-logistic uses).
const HISTORY: usize = 10;

/// Parameters per block in the vector passes of [`lbfgs`]. Every sum over
/// the parameters there is taken per block and then over the blocks in
/// order, so the thread count only decides who computes a block, never the
/// result. 2048 doubles (16 KB) stay in L1 while the stored pairs stream past.
pub(super) const BLOCK: usize = 2048;

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
pub(super) struct Memory {
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
/// (the step, without x + t d - x's rounding), y = gn - g, and writes per
/// block the dot products the memory needs with the new gradient (`width` values, see [`lbfgs`]).
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

/// [`super::minimize`], also returning the final L-BFGS memory (for tests).
pub(super) fn minimize_keeping_memory(
    p: &Problem,
    opts: &SolverOptions,
) -> crate::Result<(Solution, Memory)> {
    let threads = opts.threads.clamp(1, 64);
    // Several jobs per thread and pass, so that the threads that are
    // running take over the share of one that is not.
    let parts = if threads > 1 { 4 * threads } else { 1 };
    let pool = Par::new(threads)?;
    lbfgs(p, opts, &pool, parts)
}

/// [`minimize_keeping_memory`] with its threads, each pass cut into `parts` jobs.
pub(super) fn lbfgs(
    p: &Problem,
    opts: &SolverOptions,
    pool: &Par,
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
        pool.run_jobs(jobs, |(first, d, xn, sl)| {
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
            pool.run_jobs(jobs, |(first, s, y, o)| {
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
    use super::super::tests::{larger, lcg};
    use super::*;

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
