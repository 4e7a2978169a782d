//! OBX002-005: how an fs value is written in dovecot.conf.
use crate::lint::context::{LintContext, Sink};
use crate::source::Span;

pub fn check(ctx: &LintContext, sink: &mut Sink) {
    for site in &ctx.sites {
        let t = &site.text;
        let b = t.as_bytes();
        // OBX003: `%XX` with two hex digits that is not `%%XX`.
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'%' {
                i += 1;
                continue;
            }
            if b.get(i + 1) == Some(&b'%') {
                i += 2;
                continue;
            }
            let hex = |k: usize| b.get(k).is_some_and(|c| c.is_ascii_hexdigit());
            if hex(i + 1) && hex(i + 2) {
                let seq = &t[i..i + 3];
                let var = seq.as_bytes()[2] as char;
                let what = if "dDuUnNhHsS".contains(var) {
                    format!("a valid variable, so it is silently replaced by part of '%{var}'")
                } else {
                    format!("an unknown variable '%{var}', so user init fails")
                };
                sink.report(
                    "OBX003",
                    site.at(Span::new(i, i + 3)),
                    format!(
                        "`{seq}` in {} is a %-variable when the value is expanded per user: {what}",
                        site.key
                    ),
                )
                .help(format!("write `%{seq}` for a literal percent-escape"));
                i += 3;
                continue;
            }
            i += 1;
        }
        // OBX004: whitespace right after a driver's colon (not dictmap's " ; ").
        for (pos, _) in t.match_indices(": ") {
            let before = &t[..pos];
            if before.ends_with(" ;") || t[pos..].starts_with(": ;") {
                continue;
            }
            // only the colon that ends a driver name or option
            sink.report(
                "OBX004",
                site.at(Span::new(pos + 1, pos + 2)),
                format!("whitespace after ':' in {}", site.key),
            );
            break;
        }
        // OBX005: a token starting with `$` (only reaches here when quoted or
        // when the reference was not a setting name).
        // A quoted value is taken literally, `$ENV:` is a documented
        // feature, and a defined setting name is a valid reference.
        let quoted = matches!(
            ctx.config
                .files
                .get(site.setting.value.origin.file)
                .text
                .get(site.setting.value.origin.span.start),
            Some(b'"' | b'\'')
        );
        for (pos, _) in t.match_indices('$') {
            let name = t[pos + 1..].split([' ', ':']).next().unwrap_or("");
            let defined = t[pos + 1..].starts_with("ENV:") || ctx.global(name).is_some();
            if !quoted && !defined && (pos == 0 || b[pos - 1] == b' ') {
                sink.report(
                    "OBX005",
                    site.at(Span::new(pos, pos + 1)),
                    format!("a token of {} starts with '$', which dovecot.conf treats as a setting reference", site.key),
                );
            }
        }
        // OBX002: an unquoted '#' cut the value: look at the raw line after it.
        let o = site.setting.value.origin;
        let f = ctx.config.files.get(o.file);
        let end = o.span.end.min(f.text.len());
        let line_end = f.text[end..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(f.text.len(), |k| k + end);
        let tail = String::from_utf8_lossy(&f.text[end..line_end]);
        let first = f.text.get(o.span.start).copied();
        if first != Some(b'"')
            && first != Some(b'\'')
            && let Some(h) = tail.find('#')
        {
            let glued = h == 0 || !tail[..h].ends_with([' ', '\t']);
            if glued && !tail[h..].contains("obox-cli:") {
                let at = end + h;
                sink.report(
                        "OBX002",
                        crate::conf::Origin {
                            file: o.file,
                            span: Span::new(at, at + 1),
                        },
                        format!("'#' in the unquoted value of {} starts a comment: the rest of the value is dropped", site.key),
                    );
            }
        }
    }
}
