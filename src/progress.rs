//! Progress bars: drawn on a terminal only, never when output is piped.
//!
//! Every bar belongs to one [`MultiProgress`], and log lines are written
//! through [`LogWriter`], which hides the bars while it writes: a warning
//! printed during `ingest` never tears the bar it interrupts.

use std::io::{IsTerminal, Write};
use std::sync::LazyLock;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bars on stderr, shared by the bars and the log writer.
static BARS: LazyLock<MultiProgress> =
    LazyLock::new(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));

/// A bar of `len` steps, hidden unless `enabled` and stderr is a terminal.
pub fn bar(len: u64, what: &str, enabled: bool) -> ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = BARS.add(ProgressBar::new(len));
    if let Ok(style) = ProgressStyle::with_template("{msg:>18} [{bar:40}] {pos}/{len} ({eta})") {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(what.to_string());
    pb
}

/// Stderr for log lines: each write hides the bars, writes, and redraws them.
/// (`tracing_subscriber`'s formatter writes one whole line per call.)
#[derive(Debug, Default, Clone, Copy)]
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        BARS.suspend(|| std::io::stderr().write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
