//! Whether standard output was closed when the process started
//! (`stancekit predict news/ >&-`).
//!
//! By the time `main` runs it is too late to ask: Rust's runtime reopens a
//! closed stdin, stdout or stderr on /dev/null before `main` (so that a file
//! opened later cannot take descriptor 1 by accident), and every write then
//! succeeds into nothing, so the run would exit 0 having written nothing.
//! A function in the executable's initialisers runs before the runtime
//! does, and records what it saw. This is not the same fault as a reader
//! that goes away (EPIPE, `| head`), which ends a command quietly with
//! status 0: here no output could ever have been read.

use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED_AT_START: AtomicBool = AtomicBool::new(false);

/// Whether descriptor 1 was not open when the process started. Always false
/// on platforms where this cannot be told.
pub fn closed_at_start() -> bool {
    CLOSED_AT_START.load(Ordering::Relaxed)
}

/// Runs `check_stdout` with the executable's static initialisers, before
/// the Rust runtime starts (ELF `.init_array`, Mach-O `__mod_init_func`).
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
    target_vendor = "apple"
))]
mod init {
    use super::CLOSED_AT_START;
    use std::sync::atomic::Ordering;

    extern "C" fn check_stdout() {
        // SAFETY: F_GETFD only reads a descriptor's flags; on a descriptor
        // that is not open it fails with EBADF and changes nothing.
        let flags = unsafe { libc::fcntl(libc::STDOUT_FILENO, libc::F_GETFD) };
        if flags == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF) {
            CLOSED_AT_START.store(true, Ordering::Relaxed);
        }
    }

    #[used]
    #[cfg_attr(not(target_vendor = "apple"), link_section = ".init_array")]
    #[cfg_attr(target_vendor = "apple", link_section = "__DATA,__mod_init_func")]
    static CHECK_STDOUT: extern "C" fn() = check_stdout;
}
