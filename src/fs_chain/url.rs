//! The storage URL of the HTTP drivers:
//! `http[s]://[user[:password]@]host[:port][/path][?p1=v1&p2&…]`.
//!
//! Hand-written rather than the `url` crate because every piece needs its
//! byte span, the text may still hold `%`-variables (lint runs on the
//! unexpanded config), and the authority must be cut the way Dovecot's
//! URI parser cuts it (userinfo only when the first character outside the
//! userinfo set is `@`).
use super::params::{self, ParamSpec, Typed};
use super::{Spanned, TextForm};
use crate::source::Span;
use serde::Serialize;

/// What `--show-secrets` off prints instead of credentials (doveconf's
/// own marker, so admins recognise it).
pub const HIDDEN: &str = "#hidden_use-P_to_show#";

/// A credential from the userinfo. `raw` is the text as written,
/// `decoded` after `%%`→`%` (config form) and percent-decoding.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Secret {
    pub raw: String,
    pub decoded: String,
    #[serde(serialize_with = "super::ser_span")]
    pub span: Span,
}

/// Debug output (panic messages, `{:?}` in errors) never shows the text.
impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("raw", &HIDDEN)
            .field("span", &self.span)
            .finish()
    }
}

impl Secret {
    fn redact(&mut self) {
        self.raw = HIDDEN.into();
        self.decoded = HIDDEN.into();
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Userinfo {
    /// The access key (or Azure account name).
    pub user: Secret,
    /// The secret key; None when the userinfo has no `:`.
    pub password: Option<Secret>,
    #[serde(serialize_with = "super::ser_span")]
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct UrlParam {
    pub name: Spanned<String>,
    pub value: Option<Spanned<String>>,
    /// The whole `name[=value]` item.
    #[serde(serialize_with = "super::ser_span")]
    pub span: Span,
    #[serde(skip)]
    pub spec: Option<&'static ParamSpec>,
    pub typed: Typed,
}

impl UrlParam {
    pub fn value_str(&self) -> Option<&str> {
        self.value.as_ref().map(|v| v.value.as_str())
    }

    /// An `addhdr=`/`addhdrvar=` whose header carries a credential
    /// (`Authorization:Bearer …`, `X-Amz-Security-Token:…`): its value
    /// after the header name is a secret.
    pub fn is_credential(&self) -> bool {
        matches!(self.name.value.as_str(), "addhdr" | "addhdrvar")
            && self.value_str().is_some_and(|v| {
                v.split_once(':')
                    .is_some_and(|(h, _)| crate::secrets::is_credential_header(h))
            })
    }

    /// The value as shown: a credential header's value hidden unless
    /// `show_secrets`.
    pub fn shown_value(&self, show_secrets: bool) -> Option<String> {
        let v = self.value_str()?;
        if show_secrets || !self.is_credential() {
            return Some(v.to_string());
        }
        Some(hide_header_value(v))
    }

    fn redact(&mut self) {
        if !self.is_credential() {
            return;
        }
        if let Some(v) = &mut self.value {
            v.value = hide_header_value(&v.value);
        }
        if let Typed::Header { value, .. } = &mut self.typed {
            *value = HIDDEN.into();
        }
    }
}

/// `NAME:VALUE` with the value hidden.
fn hide_header_value(v: &str) -> String {
    let (h, _) = v.split_once(':').unwrap_or((v, ""));
    format!("{h}:{HIDDEN}")
}

/// Debug output never shows a credential header's value.
impl std::fmt::Debug for UrlParam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut shown = self.clone();
        shown.redact();
        f.debug_struct("UrlParam")
            .field("name", &shown.name)
            .field("value", &shown.value)
            .field("span", &shown.span)
            .field("typed", &shown.typed)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpUrl {
    pub scheme: Spanned<String>,
    pub secure: bool,
    pub userinfo: Option<Userinfo>,
    pub host: Spanned<String>,
    pub port: Option<Spanned<u16>>,
    /// Starts with `/` when present; may hold `%`-variables.
    pub path: Spanned<String>,
    /// In the order written, duplicates kept.
    pub params: Vec<UrlParam>,
    #[serde(serialize_with = "super::ser_span")]
    pub span: Span,
    /// Whitespace between the driver's `:` and the URL (`s3: https://…`),
    /// tolerated but worth a lint.
    #[serde(serialize_with = "super::ser_opt_span")]
    pub leading_space: Option<Span>,
    /// The text reads like a secret with an unencoded `/`, `?` or `#`
    /// that runs into the path (`AKID:12/SECRET@host/`: Dovecot sees host
    /// `AKID`, port 12 and a path with an `@`; `AK:a@b/c@host/`: userinfo
    /// `AK:a`, host `b`). Output then hides everything up to the path's
    /// last `@`.
    pub maybe_secret: bool,
    /// Where that would-be secret ends (the `@`), in the chain string.
    #[serde(skip)]
    pub secret_end: Option<usize>,
}

impl HttpUrl {
    /// All parameters called `name`, in order.
    pub fn params_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a UrlParam> + 'a {
        self.params.iter().filter(move |p| p.name.value == name)
    }

    /// The last value of `name` (a bare flag gives `Some("")`).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .rfind(|p| p.name.value == name)
            .map(|p| p.value_str().unwrap_or(""))
    }

    pub fn has_credentials(&self) -> bool {
        self.userinfo.is_some()
    }

    pub fn redact(&mut self) {
        if let Some(u) = &mut self.userinfo {
            u.user.redact();
            if let Some(p) = &mut u.password {
                p.redact();
            }
        }
        for p in &mut self.params {
            p.redact();
        }
        if let (true, Some(at)) = (self.maybe_secret, self.secret_end) {
            if let Some(u) = &mut self.userinfo {
                u.user.redact();
            }
            self.host.value = HIDDEN.into();
            self.port = None;
            self.path.value = if at < self.path.span.end {
                let after = self
                    .path
                    .value
                    .rsplit_once('@')
                    .map_or(String::new(), |(_, a)| a.to_string());
                format!("/{HIDDEN}@{after}")
            } else {
                format!("/{HIDDEN}")
            };
            // Parameters read from text before the `@` may be secret too.
            for p in &mut self.params {
                if p.span.start < at {
                    p.name.value = HIDDEN.into();
                    p.value = None;
                    p.typed = Typed::Flag;
                }
            }
        }
    }

    /// The URL re-assembled, credentials hidden unless `show_secrets`.
    pub fn display(&self, show_secrets: bool) -> String {
        let mut s = format!("{}://", self.scheme.value);
        if self.maybe_secret && !show_secrets {
            let mut hidden = self.clone();
            hidden.redact();
            let after = hidden.path.value.trim_start_matches('/');
            let after = after.strip_prefix(HIDDEN).unwrap_or(after);
            s.push_str(HIDDEN);
            s.push_str(after);
            let kept = hidden.params.iter().filter(|p| p.name.value != HIDDEN);
            for (i, p) in kept.enumerate() {
                s.push(if i == 0 { '?' } else { '&' });
                s.push_str(&p.name.value);
                if let Some(v) = &p.value {
                    s.push('=');
                    s.push_str(&v.value);
                }
            }
            return s;
        }
        if let Some(u) = &self.userinfo {
            if show_secrets {
                s.push_str(&u.user.raw);
                if let Some(p) = &u.password {
                    s.push(':');
                    s.push_str(&p.raw);
                }
            } else {
                s.push_str(HIDDEN);
            }
            s.push('@');
        }
        s.push_str(&self.host.value);
        if let Some(p) = &self.port {
            s.push_str(&format!(":{}", p.value));
        }
        s.push_str(&self.path.value);
        for (i, p) in self.params.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            s.push_str(&p.name.value);
            if let Some(v) = p.shown_value(show_secrets) {
                s.push('=');
                s.push_str(&v);
            }
        }
        s
    }
}

/// Why a URL was refused. Never quotes the userinfo.
pub type UrlError = (String, Span);

/// `host` or `host:port` as Dovecot's URI parser accepts it (a reg-name
/// or bracketed literal, `%`-variables allowed; a numeric port).
fn valid_host_port(auth: &[u8]) -> bool {
    let host_ok = |h: &[u8]| {
        !h.is_empty()
            && (h.starts_with(b"[") && h.ends_with(b"]")
                || h.iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%{}".contains(&b)))
    };
    if host_ok(auth) {
        return true;
    }
    match auth.iter().rposition(|&b| b == b':') {
        Some(c) => {
            let port = &auth[c + 1..];
            host_ok(&auth[..c]) && !port.is_empty() && port.iter().all(u8::is_ascii_digit)
        }
        None => false,
    }
}

/// Parse `text` (which starts at `base` in the chain string) as the URL
/// of HTTP driver `driver`.
pub fn parse_url(
    text: &str,
    base: usize,
    driver: &str,
    form: TextForm,
) -> Result<HttpUrl, UrlError> {
    let sp = |a: usize, b: usize| Span::new(base + a, base + b);
    let trimmed = text.trim_start_matches([' ', '\t']);
    let lead = text.len() - trimmed.len();
    let leading_space = (lead > 0).then(|| sp(0, lead));
    let end = text.len();
    let Some(sep) = text[lead..].find("://").map(|i| i + lead) else {
        return Err((
            "missing 'https://' (or 'http://') scheme".into(),
            sp(lead, end),
        ));
    };
    let scheme = &text[lead..sep];
    let secure = match scheme.to_ascii_lowercase().as_str() {
        "https" => true,
        "http" => false,
        _ => {
            return Err((
                format!("scheme '{scheme}' is not http or https"),
                sp(lead, sep),
            ));
        }
    };
    let auth_start = sep + 3;
    let bytes = text.as_bytes();
    // The authority ends where Dovecot's parser ends it: at the first '/',
    // '?' or '#'. An '@' inside it ends the userinfo (its last '@', so an
    // unencoded '@' in a secret lands in the userinfo and is refused as a
    // credential character, never read as a host). An '@' only after the
    // cut is a path or query byte (`/alice@example.com/`) when the
    // authority is a valid host[:port]; otherwise it ends a secret that
    // holds an unencoded '/', '?' or '#' (`AK:wJal?rSECRET@host`), and the
    // error must not quote any of it (no "invalid port 'wJal'").
    let auth_end = text[auth_start..]
        .find(['/', '?', '#'])
        .map_or(end, |k| k + auth_start);
    let secret_char = |a: usize, b: usize| -> UrlError {
        (
            "the credentials contain a character that must be percent-encoded \
             (one of / ? # [ ] @, a space or a non-ASCII byte; write %%2F for '/')"
                .into(),
            sp(a, b.max(a + 1).min(end.max(a + 1))),
        )
    };
    let (userinfo, host_start) = match text[auth_start..auth_end].rfind('@') {
        Some(k) => {
            let at = auth_start + k;
            if !bytes[auth_start..at]
                .iter()
                .all(|&b| crate::secrets::is_userinfo_byte(b))
            {
                return Err(secret_char(auth_start, at));
            }
            (
                Some(parse_userinfo(text, auth_start, at, base, form)?),
                at + 1,
            )
        }
        None => {
            if let Some(k) = text[auth_end..].rfind('@')
                && !valid_host_port(&bytes[auth_start..auth_end])
            {
                return Err(secret_char(auth_start, auth_end + k));
            }
            (None, auth_start)
        }
    };
    // Host: a bracketed IPv6 literal, or up to ':', '/', '?', '#'.
    let mut j = host_start;
    if bytes.get(j) == Some(&b'[') {
        match text[j..].find(']') {
            Some(k) => j += k + 1,
            None => return Err(("unterminated '[' in host".into(), sp(j, end))),
        }
    } else {
        while j < end && !b":/?#".contains(&bytes[j]) {
            j += 1;
        }
    }
    let host = &text[host_start..j];
    if host.is_empty() {
        return Err((
            "empty host".into(),
            sp(host_start, j.max(host_start + 1).min(end)),
        ));
    }
    if let Some(bad) = host
        .bytes()
        .position(|b| b == b' ' || b == b'\t' || b == b'@')
    {
        return Err((
            "invalid character in host".into(),
            sp(host_start + bad, host_start + bad + 1),
        ));
    }
    let host = Spanned::new(host.to_string(), sp(host_start, j));
    let mut port = None;
    if bytes.get(j) == Some(&b':') {
        let ps = j + 1;
        let mut k = ps;
        while k < end && !b"/?#".contains(&bytes[k]) {
            k += 1;
        }
        let raw = &text[ps..k];
        match raw.parse::<u16>() {
            Ok(n) if n > 0 && raw.bytes().all(|b| b.is_ascii_digit()) => {
                port = Some(Spanned::new(n, sp(ps, k)));
            }
            // Digits are quoted (`:99999`); anything else is not, as it
            // may be part of a credential.
            _ if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) => {
                return Err((format!("invalid port '{raw}'"), sp(ps, k)));
            }
            _ => return Err(("invalid port (not a number)".into(), sp(ps, k.max(ps + 1)))),
        }
        j = k;
    }
    let path_end = text[j..].find(['?', '#']).map_or(end, |k| k + j);
    if j < path_end && bytes[j] != b'/' {
        return Err(("expected '/' after the host".into(), sp(j, path_end)));
    }
    let path = Spanned::new(text[j..path_end].to_string(), sp(j, path_end));
    let mut params_out = Vec::new();
    if path_end < end && bytes[path_end] == b'#' {
        return Err(("a '#' fragment is not allowed".into(), sp(path_end, end)));
    }
    if path_end < end {
        let qs = path_end + 1;
        let qend = text[qs..].find('#').map_or(end, |k| k + qs);
        if qend < end {
            return Err(("a '#' fragment is not allowed".into(), sp(qend, end)));
        }
        let mut start = qs;
        for item in text[qs..qend].split('&') {
            let item_span = (start, start + item.len());
            start += item.len() + 1;
            if item.is_empty() {
                continue;
            }
            let (name, value) = match item.find('=') {
                Some(eq) => (
                    Spanned::new(item[..eq].to_string(), sp(item_span.0, item_span.0 + eq)),
                    Some(Spanned::new(
                        item[eq + 1..].to_string(),
                        sp(item_span.0 + eq + 1, item_span.1),
                    )),
                ),
                None => (
                    Spanned::new(item.to_string(), sp(item_span.0, item_span.1)),
                    None,
                ),
            };
            let spec = params::lookup(driver, &name.value);
            let typed = params::type_value(spec, value.as_ref().map(|v| v.value.as_str()));
            params_out.push(UrlParam {
                name,
                value,
                span: sp(item_span.0, item_span.1),
                spec,
                typed,
            });
        }
    }
    // The text rules (used for frames and messages) may see a longer
    // userinfo than Dovecot does; when their `@` is in the path or query,
    // output hides up to it as well.
    let rule_at = crate::secrets::userinfo_end(bytes, auth_start, end).map(|a| base + a);
    let maybe_secret = rule_at
        .is_some_and(|a| userinfo.as_ref().is_none_or(|u| u.span.end != a) && a >= path.span.start);
    Ok(HttpUrl {
        scheme: Spanned::new(scheme.to_string(), sp(lead, sep)),
        secure,
        userinfo,
        host,
        port,
        path,
        params: params_out,
        span: sp(lead, end),
        leading_space,
        maybe_secret,
        secret_end: rule_at.filter(|_| maybe_secret),
    })
}

fn parse_userinfo(
    text: &str,
    start: usize,
    end: usize,
    base: usize,
    form: TextForm,
) -> Result<Userinfo, UrlError> {
    let sp = |a: usize, b: usize| Span::new(base + a, base + b);
    let raw = &text[start..end];
    let (user_end, pass) = match raw.find(':') {
        Some(c) => (start + c, Some((start + c + 1, end))),
        None => (end, None),
    };
    let secret = |a: usize, b: usize| -> Result<Secret, UrlError> {
        let decoded = decode(&text[a..b], form).map_err(|why| {
            (
                format!("invalid percent-encoding in the credentials: {why}"),
                sp(a, b),
            )
        })?;
        Ok(Secret {
            raw: text[a..b].to_string(),
            decoded,
            span: sp(a, b),
        })
    };
    Ok(Userinfo {
        user: secret(start, user_end)?,
        password: pass.map(|(a, b)| secret(a, b)).transpose()?,
        span: sp(start, end),
    })
}

/// Percent-decode credentials. In the config form `%%` stands for `%`, and
/// a single `%` starts a %-variable that is left as written (lint reports
/// it); in the expanded form every `%` must be `%XX`.
fn decode(s: &str, form: TextForm) -> Result<String, &'static str> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let hex = |c: u8| (c as char).to_digit(16);
    while i < b.len() {
        if b[i] != b'%' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let step = match form {
            TextForm::Config if b.get(i + 1) == Some(&b'%') => 2,
            TextForm::Config => {
                // A %-variable: expanded per user before the URL is read.
                out.push(b'%');
                i += 1;
                continue;
            }
            TextForm::Expanded => 1,
        };
        let (h, l) = (b.get(i + step).copied(), b.get(i + step + 1).copied());
        match (h.and_then(hex), l.and_then(hex)) {
            (Some(0), Some(0)) => return Err("%00 is not allowed"),
            (Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += step + 2;
            }
            _ => return Err("'%' must be followed by two hex digits"),
        }
    }
    String::from_utf8(out).map_err(|_| "decodes to invalid UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aws_url() {
        let s = "https://AK:se%%2Fcret@b.s3.eu-central-1.amazonaws.com:443/p/?region=eu-central-1&loghdr=a&loghdr=b&use_listing";
        let u = parse_url(s, 0, "s3", TextForm::Config).unwrap();
        let ui = u.userinfo.as_ref().unwrap();
        assert_eq!(ui.user.decoded, "AK");
        assert_eq!(ui.password.as_ref().unwrap().decoded, "se/cret");
        assert_eq!(
            &s[ui.password.as_ref().unwrap().span.start..ui.password.as_ref().unwrap().span.end],
            "se%%2Fcret"
        );
        assert_eq!(u.host.value, "b.s3.eu-central-1.amazonaws.com");
        assert_eq!(u.port.as_ref().unwrap().value, 443);
        assert_eq!(u.path.value, "/p/");
        assert_eq!(u.params.len(), 4);
        assert_eq!(u.params_named("loghdr").count(), 2);
        let r = &u.params[0];
        assert_eq!(&s[r.span.start..r.span.end], "region=eu-central-1");
        assert_eq!(u.param("use_listing"), Some(""));
        assert!(!u.display(false).contains("cret"));
        assert!(u.display(true).contains("se%%2Fcret"));
    }

    #[test]
    fn expanded_form_decodes_single_percent() {
        let u = parse_url("https://a:b%2Fc@h/", 0, "s3", TextForm::Expanded).unwrap();
        assert_eq!(u.userinfo.unwrap().password.unwrap().decoded, "b/c");
        assert!(parse_url("https://a:b%zz@h/", 0, "s3", TextForm::Expanded).is_err());
        assert!(parse_url("https://a:b%%zz@h/", 0, "s3", TextForm::Config).is_err());
    }

    #[test]
    fn refusals() {
        for bad in [
            "ftp://h/",
            "https://",
            "https://h:99999/",
            "h/",
            "https://a:b/c@h/",
        ] {
            let e = parse_url(bad, 0, "s3", TextForm::Config).unwrap_err();
            assert!(!e.0.contains("b/c"), "{}", e.0);
        }
    }

    #[test]
    fn unencoded_secret_bytes_are_credential_errors_without_echo() {
        for (url, secret) in [
            (
                "https://AKIAXYZ:wJal?rSECRET@b.s3.amazonaws.com/?region=eu-west-1",
                "wJal?rSECRET",
            ),
            (
                "https://AKIAXYZ:wJal rSECRET@b.s3.amazonaws.com/?region=eu-west-1",
                "wJal rSECRET",
            ),
            ("https://AKIAXYZ:wJal#rSECRET@b/", "wJal#rSECRET"),
            ("https://AKIAXYZ:wJ@l@rSECRET@b/", "wJ@l@rSECRET"),
            ("https://AKIAXYZ:wJ/al@b/", "wJ/al"),
            ("https://AKIAXYZ:wJälrSECRET@b/", "wJälrSECRET"),
        ] {
            let e = parse_url(url, 0, "s3", TextForm::Config).unwrap_err();
            assert!(e.0.contains("percent-encoded"), "{url}: {}", e.0);
            for part in secret.split(['?', ' ', '#', '@', '/']) {
                assert!(part.len() < 3 || !e.0.contains(part), "{url}: {}", e.0);
            }
            // The span covers the whole secret.
            let at = url.find(secret).unwrap();
            assert!(
                e.1.start <= at && e.1.end >= at + secret.len() - 1,
                "{url}: {:?}",
                e.1
            );
        }
        // An '@' in the path of a URL without credentials stays a path.
        let u = parse_url(
            "https://h.example:8080/c1/alice@example.com/",
            0,
            "s3",
            TextForm::Config,
        )
        .unwrap();
        assert!(u.userinfo.is_none());
        assert_eq!(u.path.value, "/c1/alice@example.com/");
        let e = parse_url("https://h:abc/", 0, "s3", TextForm::Config).unwrap_err();
        assert!(!e.0.contains("abc"), "{}", e.0);
    }
}
