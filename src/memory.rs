//! The process's memory policy: transparent huge pages per command.
//!
//! mimalloc (the global allocator, see main.rs) asks the kernel for 2 MiB
//! transparent huge pages for its arenas. That is what makes the big-config
//! parse and `path --stdin` fast (far fewer page faults), but for the
//! object commands it is all cost: every transfer thread has its own heap
//! and a few hundred KiB of buffers, and on huge pages each of them pins
//! megabytes (a 256 MiB GET peaked at 54 MiB instead of 12). So the
//! process starts with THP off, before anything is allocated, and the
//! commands that gain from it turn it back on.

/// Turn transparent huge pages off (`false`) or back on for this process
/// (PR_SET_THP_DISABLE). Only speed and memory are at stake: on a kernel
/// without the flag this does nothing.
pub fn huge_pages(on: bool) {
    let disable: libc::c_ulong = if on { 0 } else { 1 };
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag
    // on this process's memory map.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, disable, 0, 0, 0);
    }
}
