//! `!include` patterns: brace alternatives in the order written, each
//! globbed and sorted, as glibc's `glob(GLOB_BRACE)` does for Dovecot.

/// Expand `{a,b}` alternatives (nested too), left to right. An unbalanced
/// brace is taken literally.
pub(crate) fn expand_braces(p: &str) -> Vec<String> {
    let b = p.as_bytes();
    let Some(open) = b.iter().position(|&c| c == b'{') else {
        return vec![p.to_string()];
    };
    // Find the matching close and the top-level commas.
    let mut depth = 0;
    let mut commas = Vec::new();
    let mut close = None;
    for (i, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            b',' if depth == 1 => commas.push(i),
            _ => {}
        }
    }
    let Some(close) = close else {
        return vec![p.to_string()];
    };
    let (pre, post) = (&p[..open], &p[close + 1..]);
    let mut bounds = vec![open];
    bounds.extend(&commas);
    bounds.push(close);
    let mut out = Vec::new();
    for w in bounds.windows(2) {
        let alt = &p[w[0] + 1..w[1]];
        for tail in expand_braces(&format!("{alt}{post}")) {
            out.push(format!("{pre}{tail}"));
        }
    }
    out
}

/// Paths matching an include pattern, in Dovecot's order.
pub(crate) fn expand_glob(pattern: &str) -> Vec<String> {
    let opts = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    };
    let mut out = Vec::new();
    for p in expand_braces(pattern) {
        let mut found: Vec<String> = match glob::glob_with(&p, opts) {
            Ok(paths) => paths
                .filter_map(Result::ok)
                .map(|p| p.to_string_lossy().into_owned())
                .collect(),
            // A pattern glob cannot compile can still name a file.
            Err(_) => {
                if std::path::Path::new(&p).exists() {
                    vec![p.clone()]
                } else {
                    Vec::new()
                }
            }
        };
        found.sort();
        out.extend(found);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_keep_written_order() {
        assert_eq!(
            expand_braces("d/{20-b,10-a}.conf"),
            ["d/20-b.conf", "d/10-a.conf"]
        );
        assert_eq!(expand_braces("{a,{b,c}}x"), ["ax", "bx", "cx"]);
        assert_eq!(expand_braces("a{b"), ["a{b"]);
    }
}
