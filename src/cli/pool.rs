//! An ordered parallel map for the article subcommands: one thread reads
//! inputs, `threads` workers turn each input into its finished output (scored
//! and serialised), and the calling thread writes the outputs in input order.
//!
//! Reading, scoring and writing overlap, and no worker waits for a slow
//! neighbour the way a batch does: only the writer waits, and only for the
//! next record in order. Memory is bounded by a fixed window of chunks in
//! flight, whatever the corpus size.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use anyhow::{anyhow, Result};

/// Inputs handed to a worker at a time. Articles take about half a
/// millisecond each, so a few per message make channel overhead negligible
/// while keeping the unit of imbalance small.
const CHUNK: usize = 4;

/// Chunks in flight per worker, counting those queued, being worked on,
/// waiting to be written and held back behind a slower one. Enough for a
/// worker to find work while the writer waits on a long article; small
/// enough that memory does not depend on the corpus.
const WINDOW_PER_THREAD: usize = 4;

/// The worker count for `--threads`: as asked (at least one), or every core.
pub fn worker_threads(requested: Option<usize>) -> usize {
    requested
        .unwrap_or_else(|| thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

/// Calls `work` on every item of `inputs` on `threads` threads and hands
/// the results to `write` in input order, stopping at the first error
/// `write` returns. With one thread everything runs inline on the calling
/// thread, so a one-thread figure measures one core.
///
/// The reader and workers are not joined when `write` fails: a reader
/// blocked on a slow input (a pipe, a terminal) would otherwise keep the
/// program from stopping. They notice the closed channels and end by
/// themselves, or with the process.
pub fn ordered_map<T, R>(
    inputs: impl Iterator<Item = T> + Send + 'static,
    threads: usize,
    work: impl Fn(T) -> R + Send + Sync + 'static,
    mut write: impl FnMut(R) -> Result<()>,
) -> Result<()>
where
    T: Send + 'static,
    R: Send + 'static,
{
    if threads <= 1 {
        for input in inputs {
            write(work(input))?;
        }
        return Ok(());
    }
    let window = threads * WINDOW_PER_THREAD;
    // Credits bound what is in flight: the reader spends one per chunk it
    // sends and the writer returns it once that chunk is written, so the
    // channels and the reorder buffer together never hold more than
    // `window` chunks, even when one chunk is far slower than the rest.
    let (credit_tx, credit_rx) = sync_channel::<()>(window);
    for _ in 0..window {
        credit_tx.send(()).expect("the receiver is alive");
    }
    let (job_tx, job_rx) = sync_channel::<(u64, Vec<T>)>(window);
    let (done_tx, done_rx) = sync_channel::<Result<(u64, Vec<R>), String>>(window);

    let reader = thread::Builder::new()
        .name("read".into())
        .spawn(move || read(inputs, &credit_rx, job_tx))?;

    let job_rx = Arc::new(Mutex::new(job_rx));
    let work = Arc::new(work);
    let mut workers = Vec::with_capacity(threads);
    for n in 0..threads {
        let (jobs, done, work) = (Arc::clone(&job_rx), done_tx.clone(), Arc::clone(&work));
        workers.push(
            thread::Builder::new()
                .name(format!("work-{n}"))
                .spawn(move || loop {
                    // The lock is held only to take a job, never while working.
                    let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok((seq, chunk)) = job else { return };
                    // A panic must reach the writer: a chunk that silently
                    // never came back would leave it waiting forever.
                    let out = catch_unwind(AssertUnwindSafe(|| {
                        chunk.into_iter().map(|i| work(i)).collect::<Vec<R>>()
                    }))
                    .map(|results| (seq, results))
                    .map_err(|p| panic_message(&*p));
                    let panicked = out.is_err();
                    if done.send(out).is_err() || panicked {
                        return;
                    }
                })?,
        );
    }
    // The results channel ends when the last worker does.
    drop(done_tx);

    let mut held: BTreeMap<u64, Vec<R>> = BTreeMap::new();
    let mut next = 0u64;
    for out in &done_rx {
        let (seq, results) = out.map_err(|m| anyhow!("a worker thread panicked: {m}"))?;
        held.insert(seq, results);
        while let Some(results) = held.remove(&next) {
            for r in results {
                write(r)?;
            }
            next += 1;
            // Fails only once the reader has finished; nothing to return then.
            let _ = credit_tx.send(());
        }
    }
    reader
        .join()
        .map_err(|p| anyhow!("the input reader panicked: {}", panic_message(&*p)))?;
    for w in workers {
        // Workers catch their panics, so a join error cannot carry news.
        let _ = w.join();
    }
    // Every chunk sent came back, so nothing can be held back here.
    debug_assert!(held.is_empty());
    Ok(())
}

/// The reader thread: sends numbered chunks of inputs, one per credit, until
/// the inputs or the writer end.
fn read<T>(
    mut inputs: impl Iterator<Item = T>,
    credits: &Receiver<()>,
    jobs: std::sync::mpsc::SyncSender<(u64, Vec<T>)>,
) {
    let mut seq = 0u64;
    while credits.recv().is_ok() {
        let chunk: Vec<T> = inputs.by_ref().take(CHUNK).collect();
        if chunk.is_empty() || jobs.send((seq, chunk)).is_err() {
            return;
        }
        seq += 1;
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Work whose cost varies a lot by item, so workers finish out of order.
    fn uneven(i: u64) -> u64 {
        let spins = if i.is_multiple_of(7) { 200_000 } else { 10 };
        for k in 0..spins {
            std::hint::black_box(k);
        }
        i
    }

    #[test]
    fn results_come_in_input_order_for_any_thread_count() {
        for threads in [1, 2, 3, 4, 8] {
            let mut got = Vec::new();
            ordered_map(0..1000u64, threads, uneven, |r| {
                got.push(r);
                Ok(())
            })
            .unwrap();
            assert_eq!(got, (0..1000).collect::<Vec<_>>(), "threads {threads}");
        }
    }

    #[test]
    fn empty_input_writes_nothing() {
        let mut n = 0;
        ordered_map(std::iter::empty::<u64>(), 4, uneven, |_| {
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn reading_never_runs_more_than_the_window_ahead_of_writing() {
        let threads = 3;
        let pulled = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&pulled);
        let inputs = (0..5000u64).inspect(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let mut written = 0usize;
        let bound = threads * WINDOW_PER_THREAD * CHUNK;
        ordered_map(inputs, threads, uneven, |_| {
            let ahead = pulled.load(Ordering::SeqCst) - written;
            assert!(ahead <= bound, "{ahead} items read but not written");
            written += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(written, 5000);
    }

    #[test]
    fn a_panicking_worker_is_an_error_not_a_hang() {
        let err = ordered_map(
            0..1000u64,
            2,
            |i| {
                if i == 500 {
                    panic!("item 500 is cursed");
                }
                i
            },
            |_| Ok(()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("item 500 is cursed"), "{err}");
    }

    #[test]
    fn a_write_error_stops_at_once() {
        for threads in [1, 2] {
            let mut n = 0;
            let err = ordered_map(0..u64::MAX, threads, uneven, |_| {
                n += 1;
                if n == 10 {
                    anyhow::bail!("broken pipe");
                }
                Ok(())
            })
            .unwrap_err();
            assert_eq!(err.to_string(), "broken pipe");
            assert_eq!(n, 10);
        }
    }
}
