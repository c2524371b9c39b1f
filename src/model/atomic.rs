//! Writing a file so that readers see the old content or the new, never a
//! part: a synced temporary file beside the destination, renamed over it.
//!
//! Temporary files are named `.NAME.PID.tmp`. A writer holds an exclusive
//! lock ([`File::lock`]) on its temporary file from just after creating it
//! until after the rename; the operating system drops the lock when the
//! process ends, however it ends (`kill -9` included). So a `.NAME.*.tmp`
//! file that nobody holds a lock on was left by a writer that died, and the
//! next write to NAME removes it. Process ids are not used to tell: they are
//! reused, and on a shared file system they belong to other machines.
//!
//! One moment needs care: between another writer's create and its lock, its
//! new file is unlocked too. A cleaner may remove it then; the writer, once
//! it holds the lock, checks that its file is still the one at the path (on
//! Unix, by device and inode) and starts over if not. Where the file system
//! cannot lock at all, nothing is removed.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically. When `path` is a symbolic link, the
/// file it points to is replaced and the link kept, as a shell's `>` would
/// write through it; a dangling link's target is created.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let target = follow_links(path)?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| Error::input(path.display().to_string(), "not a file path"))?
        .to_string_lossy()
        .into_owned();
    remove_stale_temporaries(&dir, &name);
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = create_locked(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        // Renamed while still locked: a cleaner never sees it unlocked.
        std::fs::rename(&tmp, &target)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })?;
    // Make the rename itself durable (it lives in the directory). Not every
    // platform can open a directory for syncing; the file is in place either way.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The path `path` names once symbolic links are followed (relative links
/// from the link's directory). Only the last component is followed: links
/// among the directories are the operating system's to resolve.
fn follow_links(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    // Linux gives up after 40 links (ELOOP); so does this.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p).map_err(|e| Error::io(path, e))?;
                p = match p.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(Error::io(
        path,
        std::io::Error::other("too many levels of symbolic links"),
    ))
}

/// Creates `tmp` and locks it, making sure the locked file is still the one
/// at `tmp` (a cleaner may have removed it before the lock was taken). A
/// file system that cannot lock gets an unlocked file, which no cleaner
/// removes (see [`remove_stale_temporaries`]).
fn create_locked(tmp: &Path) -> std::io::Result<File> {
    for _ in 0..8 {
        let f = File::create(tmp)?;
        if f.lock().is_err() || is_at(&f, tmp) {
            return Ok(f);
        }
    }
    Err(std::io::Error::other(format!(
        "{}: the temporary file kept disappearing",
        tmp.display()
    )))
}

/// Removes every `.NAME.PID.tmp` in `dir` that no process holds a lock on:
/// what writers that died while writing NAME left behind. Our own name is
/// skipped (this process is alive and about to write it), and so is anything
/// that is not a regular file. Errors are ignored: cleaning up is a courtesy,
/// and the write that follows reports any real problem with `dir`.
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    let own = format!("{prefix}{}.tmp", std::process::id());
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(pid) = file_name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
        else {
            continue;
        };
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) || file_name == own {
            continue;
        }
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let Ok(f) = File::open(&path) else {
            continue;
        };
        // Locked: a live writer. An error other than "locked" (no locking
        // on this file system): cannot tell, so keep it.
        if f.try_lock().is_ok() && is_at(&f, &path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Whether `path` still names the file `f` has open.
#[cfg(unix)]
fn is_at(f: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether `path` still names the file `f` has open. Without inode numbers
/// in `std`, only whether something is there.
#[cfg(not(unix))]
fn is_at(_: &File, path: &Path) -> bool {
    path.exists()
}
