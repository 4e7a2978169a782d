//! Progress for long transfers: drawn on stderr only when it is a
//! terminal, never into a pipe or a log file, and never mixed with the
//! `-v` request log. The S3 client reports payload bytes through
//! [`TransferObserver`]; this module turns them into an indicatif bar.
use crate::s3::TransferObserver;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A single object is not worth a bar below this size: the bar would
/// flash for a few milliseconds and leave a line behind for nothing.
const SINGLE_OBJECT_MIN: u64 = 4 * 1024 * 1024;

/// Whether progress may be drawn at all: stderr is a terminal, the user
/// did not ask for quiet, and the request log is not using stderr.
pub fn wanted(no_progress: bool, verbose: bool) -> bool {
    !no_progress && !verbose && crate::output::stderr_is_terminal()
}

/// One progress display (possibly hidden). Cloning shares it.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
    enabled: bool,
    /// Objects finished and to do, for `-r` runs (drawn as `{objects}`).
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    /// Single-object mode: the bar appears once the object proves big.
    single: bool,
    shown: Arc<AtomicBool>,
    /// The bar's unit is objects (uploads through a compress layer, whose
    /// size on the wire is unknown in advance): byte reports don't move it.
    objects_only: Arc<AtomicBool>,
    /// The spinner has become a bar ([`start`](Self::start) or the first
    /// [`grow`](Self::grow)).
    started: Arc<AtomicBool>,
}

impl Progress {
    fn new(enabled: bool, single: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if enabled && !single {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        Progress {
            bar,
            enabled,
            done: Arc::default(),
            total: Arc::default(),
            single,
            shown: Arc::new(AtomicBool::new(enabled && !single)),
            objects_only: Arc::default(),
            started: Arc::default(),
        }
    }

    /// A `-r` run: starts as a spinner counting listed keys (or files), then
    /// [`start`](Self::start) turns it into a bar over bytes and objects.
    pub fn many(enabled: bool, verb: &'static str) -> Progress {
        let p = Progress::new(enabled, false);
        p.bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} {msg}")
                .expect("static template")
                .tick_chars("|/-\\ "),
        );
        p.bar.set_prefix(verb);
        p.bar.set_message("listing…");
        if enabled {
            p.bar
                .enable_steady_tick(std::time::Duration::from_millis(120));
        }
        p
    }

    /// One object of `size` bytes when known (a stream's size is not).
    pub fn one(enabled: bool, verb: &'static str, size: Option<u64>) -> Progress {
        let p = Progress::new(enabled, true);
        p.bar.set_prefix(verb);
        match size {
            Some(n) => {
                p.bar.set_length(n);
                p.bar.set_style(bytes_style());
                if n >= SINGLE_OBJECT_MIN {
                    p.show();
                }
            }
            None => p.bar.set_style(stream_style()),
        }
        p
    }

    /// The work is known: `objects` objects of `bytes` bytes in all, or
    /// `None` when the bytes on the wire cannot be known in advance (a
    /// compress layer shrinks uploads): then the bar counts objects.
    pub fn start(&self, objects: u64, bytes: Option<u64>) {
        self.started.store(true, Ordering::Relaxed);
        self.total.store(objects, Ordering::Relaxed);
        self.bar.disable_steady_tick();
        let style = match bytes {
            Some(b) => {
                self.bar.set_length(b);
                self.bar.set_position(0);
                ProgressStyle::with_template(
                    "{prefix} [{wide_bar}] {objects}  {binary_bytes}/{binary_total_bytes}  {binary_bytes_per_sec}  ETA {eta} {msg}",
                )
            }
            None => {
                self.bar.set_length(objects);
                self.bar.set_position(0);
                ProgressStyle::with_template("{prefix} [{wide_bar}] {objects}  ETA {eta} {msg}")
            }
        };
        let style = self
            .with_objects(style.expect("static template"))
            .progress_chars("=> ");
        self.bar.set_style(style);
        self.bar.set_message("");
        self.objects_only.store(bytes.is_none(), Ordering::Relaxed);
    }

    /// A streamed listing found `objects` more objects of `bytes` more
    /// bytes (`None`: the bar counts objects). The first call turns the
    /// spinner into a bar, marked "(listing…)" until
    /// [`listing_done`](Self::listing_done); later calls lengthen it.
    pub fn grow(&self, objects: u64, bytes: Option<u64>) {
        if objects == 0 {
            return;
        }
        if !self.started.swap(true, Ordering::Relaxed) {
            self.start(0, bytes.map(|_| 0));
            if self.enabled {
                self.bar.set_message("(listing…)");
            }
        }
        self.total.fetch_add(objects, Ordering::Relaxed);
        match bytes {
            Some(b) if !self.objects_only.load(Ordering::Relaxed) => self.bar.inc_length(b),
            _ => self.bar.inc_length(objects),
        }
    }

    /// The streamed listing is complete: the totals are final.
    pub fn listing_done(&self) {
        if self.started.load(Ordering::Relaxed) {
            self.bar.set_message("");
        }
    }

    /// A display that never draws (inner loops that report through an
    /// outer one).
    pub fn hidden() -> Progress {
        Progress::new(false, false)
    }

    /// One object finished (whether it succeeded or not).
    pub fn object_done(&self) {
        self.objects_done(1);
    }

    /// `n` objects finished.
    pub fn objects_done(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
        if self.objects_only.load(Ordering::Relaxed) {
            self.bar.inc(n);
        }
    }

    /// A single object whose size on the wire is not known in advance.
    pub fn unknown_total(&self) {
        self.bar.unset_length();
        self.bar.set_style(stream_style());
    }

    /// Print a line (an error) without tearing the bar.
    pub fn eprintln(&self, line: &str) {
        self.bar.suspend(|| {
            use std::io::Write;
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        });
    }

    /// [`finish`](Self::finish) after a run that got to its transfers,
    /// [`clear`](Self::clear) after one that failed before them (listing,
    /// walking the directory): a summary of nothing done would mislead.
    pub fn end(&self, reached_transfers: bool) {
        if reached_transfers && self.started.load(Ordering::Relaxed) {
            self.finish();
        } else {
            self.clear();
        }
    }

    /// Take the display off the screen without a summary.
    pub fn clear(&self) {
        self.bar.disable_steady_tick();
        self.bar.finish_and_clear();
    }

    /// Replace the bar by a one-line summary, if anything was drawn.
    pub fn finish(&self) {
        self.bar.disable_steady_tick();
        if !self.shown.load(Ordering::Relaxed) {
            return;
        }
        let template = if self.single {
            "{prefix}: {binary_bytes} in {elapsed}"
        } else if self.objects_only.load(Ordering::Relaxed) {
            "{prefix}: {objects} in {elapsed}"
        } else {
            "{prefix}: {objects}, {binary_bytes} in {elapsed}"
        };
        let style = ProgressStyle::with_template(template).expect("static template");
        self.bar.set_style(self.with_objects(style));
        self.bar.finish();
    }

    /// `style` with the `{objects}` key: "done/total objects".
    fn with_objects(&self, style: ProgressStyle) -> ProgressStyle {
        let done = self.done.clone();
        let total = self.total.clone();
        style.with_key(
            "objects",
            move |_: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(
                    w,
                    "{}/{} objects",
                    done.load(Ordering::Relaxed),
                    total.load(Ordering::Relaxed)
                );
            },
        )
    }

    /// The observer to hand to the S3 client.
    pub fn observer(&self) -> Arc<dyn TransferObserver> {
        Arc::new(self.clone())
    }

    fn show(&self) {
        if self.enabled && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl TransferObserver for Progress {
    fn advanced(&self, n: u64) {
        if self.objects_only.load(Ordering::Relaxed) {
            return;
        }
        self.bar.inc(n);
        if self.single && !self.shown.load(Ordering::Relaxed) {
            let big = self
                .bar
                .length()
                .map_or(self.bar.position() >= SINGLE_OBJECT_MIN, |l| {
                    l >= SINGLE_OBJECT_MIN
                });
            if big {
                self.show();
            }
        }
    }

    fn sized(&self, total: u64) {
        // Only a single object's bar takes the size from the response; a
        // `-r` bar's length is the sum from the listing.
        if self.single && self.bar.length().is_none() {
            self.bar.set_length(total);
            self.bar.set_style(bytes_style());
            if total >= SINGLE_OBJECT_MIN {
                self.show();
            }
        }
    }

    fn rewound(&self, n: u64) {
        if !self.objects_only.load(Ordering::Relaxed) {
            self.bar.dec(n);
        }
    }
}

fn bytes_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{prefix} [{wide_bar}] {binary_bytes}/{binary_total_bytes}  {binary_bytes_per_sec}  ETA {eta}",
    )
    .expect("static template")
    .progress_chars("=> ")
}

fn stream_style() -> ProgressStyle {
    ProgressStyle::with_template("{prefix} {binary_bytes}  {binary_bytes_per_sec}  {elapsed}")
        .expect("static template")
}
