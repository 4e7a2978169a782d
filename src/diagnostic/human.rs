//! rustc-style output: header, `--> file:line:col`, the source line with
//! carets under the span, secondary labels, then `= help:`.
use super::redact::{map_offset, redact, redact_with_map};
use super::{Diagnostic, Label, RenderOptions, Severity};
use crate::conf::Files;
use colored::Colorize;
use std::fmt::Write;

pub fn render_human(diags: &[Diagnostic], files: &Files, opts: RenderOptions) -> String {
    let mut out = String::new();
    for d in diags {
        render_one(&mut out, d, files, opts);
        out.push('\n');
    }
    let count = |s| diags.iter().filter(|d| d.severity == s).count();
    let (e, w, i) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    if diags.is_empty() {
        out.push_str("no problems found\n");
    } else {
        let _ = writeln!(out, "{e} error(s), {w} warning(s), {i} info");
    }
    out
}

/// Bytes of a source line shown around a label at most.
const MAX_LINE: usize = 400;

fn hide(s: &str, opts: RenderOptions) -> String {
    let s = if opts.show_secrets {
        s.to_string()
    } else {
        redact(s)
    };
    crate::output::elide_middle(&s, crate::output::MAX_MESSAGE).into_owned()
}

fn render_one(out: &mut String, d: &Diagnostic, files: &Files, opts: RenderOptions) {
    let sev = match d.severity {
        Severity::Error => "error".red().bold(),
        Severity::Warning => "warning".yellow().bold(),
        Severity::Info => "info".cyan().bold(),
    };
    let _ = writeln!(
        out,
        "{sev}{}: {}",
        format!("[{}]", d.code).bold(),
        hide(&d.message, opts).bold()
    );
    let labels: Vec<&Label> = d.primary.iter().chain(d.secondary.iter()).collect();
    for (n, label) in labels.iter().enumerate() {
        if label.origin.file.0 >= files.files.len() {
            continue;
        }
        frame(out, label, files, opts, n == 0);
    }
    if let Some(h) = &d.help {
        let _ = writeln!(
            out,
            "   {} {}: {}",
            "=".blue().bold(),
            "help".bold(),
            hide(h, opts)
        );
    }
}

fn frame(out: &mut String, label: &Label, files: &Files, opts: RenderOptions, primary: bool) {
    let f = files.get(label.origin.file);
    let start = label.origin.span.start.min(f.text.len());
    let (line_no, col) = f.line_index.line_col(start, &f.text);
    let ls = f.line_index.line_span(line_no, &f.text);
    let raw_line = String::from_utf8_lossy(&f.text[ls.start..ls.end]);
    let raw_line = raw_line.trim_end_matches('\r');
    // Offsets within the line (bytes of the lossy string match the file
    // for valid UTF-8; invalid bytes only make carets approximate).
    let a = start.saturating_sub(ls.start).min(raw_line.len());
    let b = label
        .origin
        .span
        .end
        .saturating_sub(ls.start)
        .clamp(a, raw_line.len());
    let (line, a, b) = if opts.show_secrets {
        (raw_line.to_string(), a, b)
    } else {
        let (r, map) = redact_with_map(raw_line);
        let (na, nb) = (map_offset(&map, a), map_offset(&map, b));
        (r, na, nb.max(na))
    };
    let a = floor_char(&line, a);
    let b = floor_char(&line, b);
    // A very long line is shown as a window around the label (carets
    // clipped to it): a 10 MB line must not print 10 MB per finding.
    let (line, a, b) = if line.len() > MAX_LINE {
        let w0 = floor_char(&line, a.saturating_sub(MAX_LINE / 4));
        let w1 = floor_char(&line, w0 + MAX_LINE);
        let lead = if w0 > 0 { "..." } else { "" };
        let tail = if w1 < line.len() { "..." } else { "" };
        let shown = format!("{lead}{}{tail}", &line[w0..w1]);
        let na = a - w0 + lead.len();
        let nb = b.min(w1).max(a) - w0 + lead.len();
        (shown, na, nb)
    } else {
        (line, a, b)
    };
    let gutter = line_no.to_string().len();
    let pad = " ".repeat(gutter);
    let arrow = if primary { "-->" } else { ":::" };
    let _ = writeln!(
        out,
        "{pad}{} {}:{line_no}:{col}",
        arrow.blue().bold(),
        f.path
    );
    let _ = writeln!(out, "{pad} {}", "|".blue().bold());
    let shown = line.replace('\t', " ");
    let _ = writeln!(
        out,
        "{} {} {shown}",
        line_no.to_string().blue().bold(),
        "|".blue().bold()
    );
    let lead = line[..a].chars().count();
    let width = line[a..b].chars().count().max(1);
    let marks = if primary { "^" } else { "-" }.repeat(width);
    let marks = if primary {
        marks.red().bold()
    } else {
        marks.blue().bold()
    };
    let msg = label
        .message
        .as_deref()
        .map(|m| hide(m, opts))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{pad} {} {}{marks} {msg}",
        "|".blue().bold(),
        " ".repeat(lead)
    );
}

fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
