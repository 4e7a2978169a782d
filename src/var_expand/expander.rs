//! Expanding a parsed template for one user (spec §2, §2.6).
//!
//! Dovecot keeps one error-message slot per top-level call and a status
//! (ok / unknown variable / failed) that is the worst of all directives.
//! The slot has odd rules that decide which message the user finally sees,
//! and they are reproduced here on purpose:
//!
//! - an unknown short key fills the slot only if it is empty;
//! - unknown long keys and function errors overwrite it;
//! - every nested expansion (a hash salt, each `%{if}` part) starts by
//!   clearing it, so an earlier message can vanish and Dovecot prints
//!   `(null)`;
//! - a failing directive contributes its raw value (`UNSUPPORTED_VARIABLE_x`
//!   or nothing) with no modifiers, width or offset.
use super::conditional::{IfCall, compare};
use super::context::UserContext;
use super::error::{ExpandError, ExpandErrorKind};
use super::hash::HashCall;
use super::modifier::{Frame, MAX_PADDING};
use super::template::{Directive, Key, LongKey, Piece, ShortKey, Template};
use crate::source::Span;
use std::cell::RefCell;

/// Expand `template` for `ctx`.
///
/// On failure the error carries Dovecot's message; use [`expand_into`] to
/// also get the (unusable) partial output Dovecot would have produced.
pub fn expand(template: &Template, ctx: &UserContext) -> Result<Vec<u8>, ExpandError> {
    let mut out = Vec::new();
    expand_into(template, ctx, &mut out)?;
    Ok(out)
}

/// Parse and expand in one step.
pub fn expand_str(template: &[u8], ctx: &UserContext) -> Result<Vec<u8>, ExpandError> {
    expand(&Template::parse(template), ctx)
}

/// Append the expansion of `template` to `out`. This is the fast path: it
/// allocates nothing once `out` and a per-thread scratch pool are warm.
/// On error `out` holds what Dovecot would have written (with
/// `UNSUPPORTED_VARIABLE_...` in place of unknown variables).
pub fn expand_into(
    template: &Template,
    ctx: &UserContext,
    out: &mut Vec<u8>,
) -> Result<(), ExpandError> {
    expand_budgeted(template, ctx, out, MAX_TOTAL_ROUNDS)
}

/// [`expand_into`] with `rounds` of hash work allowed in all.
fn expand_budgeted(
    template: &Template,
    ctx: &UserContext,
    out: &mut Vec<u8>,
    rounds: u64,
) -> Result<(), ExpandError> {
    thread_local! {
        static POOL: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
    }
    let pool = POOL.with(|p| std::mem::take(&mut *p.borrow_mut()));
    let mut ev = Evaluator {
        ctx,
        pool,
        slot: None,
        nesting: 0,
        top_span: Span::default(),
        first_failure: None,
        rounds_left: rounds,
    };
    let status = ev.template(template, out);
    let result = if status == Status::Ok {
        Ok(())
    } else {
        Err(match ev.slot.take() {
            Some((kind, span)) => ExpandError {
                span: Some(span),
                kind,
            },
            None => ExpandError {
                span: ev.first_failure,
                kind: ExpandErrorKind::NoMessage,
            },
        })
    };
    let pool = std::mem::take(&mut ev.pool);
    POOL.with(|p| *p.borrow_mut() = pool);
    result
}

/// Dovecot's per-directive return value, ordered worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Failed,
    Unknown,
    Ok,
}

struct Evaluator<'c> {
    ctx: &'c UserContext,
    /// Reusable buffers, so a warm expansion does not allocate.
    pool: Vec<Vec<u8>>,
    /// Dovecot's single error-message slot, with the top-level directive
    /// that filled it.
    slot: Option<(ExpandErrorKind, Span)>,
    /// 0 while expanding the caller's template itself.
    nesting: u32,
    top_span: Span,
    first_failure: Option<Span>,
    /// Hash work still allowed in this expansion (see [`MAX_TOTAL_ROUNDS`]).
    rounds_left: u64,
}

/// Hash rounds one expansion may compute in all (a PBKDF2 iteration
/// counts as 10). Each call is already capped at [`super::MAX_ROUNDS`];
/// without a total, a template repeating that call thousands of times
/// would take hours.
pub const MAX_TOTAL_ROUNDS: u64 = 4 * super::MAX_ROUNDS as u64;

impl Evaluator<'_> {
    fn take(&mut self) -> Vec<u8> {
        let mut b = self.pool.pop().unwrap_or_default();
        b.clear();
        b
    }

    fn give(&mut self, b: Vec<u8>) {
        self.pool.push(b);
    }

    /// Overwrite the error slot.
    fn set_error(&mut self, kind: ExpandErrorKind) {
        self.slot = Some((kind, self.top_span));
    }

    /// One call of Dovecot's `var_expand_with_funcs`.
    fn template(&mut self, t: &Template, out: &mut Vec<u8>) -> Status {
        self.slot = None;
        let mut worst = Status::Ok;
        for piece in &t.pieces {
            match piece {
                Piece::Literal(s) => out.extend_from_slice(&t.source[s.start..s.end]),
                Piece::Dropped(_) => {}
                Piece::Directive(d) => {
                    if self.nesting == 0 {
                        self.top_span = d.span;
                    }
                    let st = self.directive(t, d, out);
                    if st != Status::Ok && self.nesting == 0 && self.first_failure.is_none() {
                        self.first_failure = Some(d.span);
                    }
                    worst = worst.min(st);
                }
            }
        }
        worst
    }

    /// A nested template (salt, `%{if}` part) into its own buffer.
    fn nested(&mut self, t: &Template, out: &mut Vec<u8>) -> Status {
        self.nesting += 1;
        let st = self.template(t, out);
        self.nesting -= 1;
        st
    }

    fn directive(&mut self, t: &Template, d: &Directive, out: &mut Vec<u8>) -> Status {
        let ctx = self.ctx;
        let mods = d.modifiers();
        let mut frame = Frame {
            offset: d.offset,
            width: d.width,
            overflow: false,
        };
        // Fast path: a table variable needs no buffer unless modified.
        let simple: Option<&[u8]> = match &d.key {
            Key::Short {
                kind: ShortKey::Var(v),
                ..
            }
            | Key::Long {
                kind: LongKey::Var(v),
                ..
            } => Some(ctx.get(*v)),
            Key::Short {
                kind: ShortKey::Percent,
                ..
            } => Some(b"%"),
            _ => None,
        };
        if let Some(v) = simple
            && mods.is_empty()
        {
            return self.place(out, v, frame, d.zero);
        }
        let mut val = self.take();
        match simple {
            Some(v) => val.extend_from_slice(v),
            None => {
                let st = self.key(t, &d.key, &mut val);
                if st != Status::Ok {
                    out.extend_from_slice(&val);
                    self.give(val);
                    return st;
                }
            }
        }
        if !mods.is_empty() {
            let mut tmp = self.take();
            for m in mods {
                m.apply(&val, &mut frame, &mut tmp);
                std::mem::swap(&mut val, &mut tmp);
            }
            self.give(tmp);
        }
        let st = if frame.overflow {
            self.set_error(ExpandErrorKind::PaddingTooLarge);
            Status::Failed
        } else {
            self.place(out, &val, frame, d.zero)
        };
        self.give(val);
        st
    }

    /// Apply offset and width exactly as Dovecot's C arithmetic does.
    fn place(&mut self, out: &mut Vec<u8>, v: &[u8], f: Frame, zero: bool) -> Status {
        let mut v = v;
        if f.offset < 0 {
            // `-offset` in int (INT_MIN stays INT_MIN), then widened to
            // size_t with sign extension.
            let from_end = i64::from(f.offset.wrapping_neg()) as u64;
            if v.len() as u64 > from_end {
                v = &v[v.len() - from_end as usize..];
            }
        } else {
            v = &v[(f.offset as usize).min(v.len())..];
        }
        if f.width == 0 {
            out.extend_from_slice(v);
        } else if !zero {
            let mut w = f.width;
            if w < 0 {
                // len - (-width) in size_t, then truncated back to int: a
                // width longer than the value wraps to "everything".
                let neg = i64::from(w.wrapping_neg()) as u64;
                w = (v.len() as u64).wrapping_sub(neg) as u32 as i32;
            }
            let max = i64::from(w) as u64;
            out.extend_from_slice(&v[..(v.len() as u64).min(max) as usize]);
        } else {
            // Zero padding never truncates.
            let pad = i64::from(f.width) - v.len() as i64;
            if pad > 0 {
                if pad as u64 > MAX_PADDING as u64 {
                    self.set_error(ExpandErrorKind::PaddingTooLarge);
                    return Status::Failed;
                }
                out.resize(out.len() + pad as usize, b'0');
            }
            out.extend_from_slice(v);
        }
        Status::Ok
    }

    /// The raw value of a key that is not a plain table variable.
    fn key(&mut self, t: &Template, key: &Key, val: &mut Vec<u8>) -> Status {
        match key {
            Key::Short { byte, kind, .. } => match kind {
                ShortKey::Var(v) => {
                    val.extend_from_slice(self.ctx.get(*v));
                    Status::Ok
                }
                ShortKey::Percent => {
                    val.push(b'%');
                    Status::Ok
                }
                ShortKey::Unknown => {
                    val.extend_from_slice(b"UNSUPPORTED_VARIABLE_");
                    val.push(*byte);
                    if self.slot.is_none() {
                        self.set_error(ExpandErrorKind::UnknownVariable(vec![*byte]));
                    }
                    Status::Unknown
                }
            },
            Key::Long { kind, .. } => self.long_key(t, kind, val),
        }
    }

    fn long_key(&mut self, t: &Template, kind: &LongKey, val: &mut Vec<u8>) -> Status {
        let text = |s: Span| &t.source[s.start..s.end];
        match kind {
            LongKey::Var(v) => {
                val.extend_from_slice(self.ctx.get(*v));
                Status::Ok
            }
            LongKey::Env { name } => {
                if let Some(v) = self.ctx.env(text(*name)) {
                    val.extend_from_slice(&v);
                }
                Status::Ok
            }
            LongKey::Userdb { field, default } => {
                match self.ctx.userdb(text(*field)) {
                    Some(v) => val.extend_from_slice(v),
                    None => {
                        if let Some(d) = default {
                            val.extend_from_slice(text(*d));
                        }
                    }
                }
                Status::Ok
            }
            LongKey::Hash(call) => self.hash(t, call, val),
            // Found as an extension, rejected by the exact algorithm
            // lookup: failure with no message and an empty value.
            LongKey::HashNoMethod { .. } => Status::Unknown,
            LongKey::If(call) => self.cond(call, val),
            LongKey::Unknown { name } => {
                val.extend_from_slice(b"UNSUPPORTED_VARIABLE_");
                val.extend_from_slice(text(*name));
                self.set_error(ExpandErrorKind::UnknownVariable(text(*name).to_vec()));
                Status::Unknown
            }
            LongKey::TooDeep => {
                self.set_error(ExpandErrorKind::TooDeep);
                Status::Failed
            }
        }
    }

    fn hash(&mut self, t: &Template, call: &HashCall, val: &mut Vec<u8>) -> Status {
        // The field is looked up first, as a long key of its own; if that
        // fails the hash gives an empty value and the field's status.
        let mut field = self.take();
        let st = self.long_key(t, &call.field, &mut field);
        if st != Status::Ok {
            self.give(field);
            return st;
        }
        if let Some(e) = &call.arg_error {
            self.give(field);
            self.set_error(ExpandErrorKind::HashArguments(e.clone()));
            return Status::Failed;
        }
        let mut salt = self.take();
        if let Some(s) = &call.salt {
            // An unknown variable inside the salt does not fail the hash.
            if self.nested(s, &mut salt) == Status::Failed {
                self.give(field);
                self.give(salt);
                return Status::Failed;
            }
        } else if call.algo == super::hash::HashAlgo::Pkcs5 {
            salt.extend_from_slice(&call.field_text);
        }
        // A single call over its own limit keeps its own message (compute).
        let (cost, within) = if call.algo == super::hash::HashAlgo::Pkcs5 {
            (
                u64::from(call.rounds) * 10,
                call.rounds <= super::MAX_PKCS5_ROUNDS,
            )
        } else {
            (u64::from(call.rounds), call.rounds <= super::MAX_ROUNDS)
        };
        if within && cost > self.rounds_left {
            self.give(field);
            self.give(salt);
            self.set_error(ExpandErrorKind::HashBudget);
            return Status::Failed;
        }
        self.rounds_left = self.rounds_left.saturating_sub(cost);
        let ok = call.compute(&field, &salt, val);
        self.give(field);
        self.give(salt);
        if ok {
            Status::Ok
        } else {
            self.set_error(ExpandErrorKind::TooManyRounds(call.rounds));
            Status::Failed
        }
    }

    fn cond(&mut self, call: &IfCall, val: &mut Vec<u8>) -> Status {
        let parts = match &call.parts {
            Ok(p) => p,
            Err(e) => {
                self.set_error(ExpandErrorKind::IfShape(*e));
                return Status::Failed;
            }
        };
        let mut bufs: Vec<Vec<u8>> = Vec::with_capacity(parts.len());
        let mut status = Status::Ok;
        for p in parts {
            let mut b = self.take();
            let st = self.nested(&p.template, &mut b);
            bufs.push(b);
            if st != Status::Ok {
                status = st;
                break;
            }
        }
        if status == Status::Ok {
            match compare(&bufs[0], &bufs[1], &bufs[2]) {
                Ok(true) => val.extend_from_slice(&bufs[3]),
                Ok(false) => val.extend_from_slice(&bufs[4]),
                Err(msg) => {
                    self.set_error(ExpandErrorKind::If(msg));
                    status = Status::Failed;
                }
            }
        }
        for b in bufs {
            self.give(b);
        }
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The oracle's context: static userdb with home and uid/gid 65534.
    fn ctx(user: &str) -> UserContext {
        let mut c = UserContext::new(user);
        let home = format!("/home/{user}");
        c.set(super::super::Var::Service, "doveadm")
            .set_home(Some(home.as_bytes()))
            .set(super::super::Var::Uid, "65534")
            .set(super::super::Var::Gid, "65534")
            .add_userdb("uid", "65534")
            .add_userdb("gid", "65534")
            .add_userdb("home", home);
        c
    }

    fn ok(t: &str, user: &str) -> Vec<u8> {
        expand_str(t.as_bytes(), &ctx(user)).unwrap_or_else(|e| panic!("{t}: {e}"))
    }

    fn err(t: &str, user: &str) -> String {
        match expand_str(t.as_bytes(), &ctx(user)) {
            Ok(v) => panic!(
                "{t}: expected an error, got {:?}",
                String::from_utf8_lossy(&v)
            ),
            Err(e) => e.to_string(),
        }
    }

    const A: &str = "alice@example.com";

    #[test]
    fn plain_variables() {
        assert_eq!(
            ok("%u|%n|%d|%s|%h|%l|%r|%i|%{gid}", "a@b@c"),
            b"a@b@c|a|b@c|doveadm|/home/a@b@c|||65534|65534"
        );
        assert_eq!(
            ok("%{auth_user}:%{auth_username}:%{auth_domain}", A),
            b"alice@example.com:alice:example.com"
        );
        assert_eq!(
            ok(
                "%{userdb:home}|%{userdb:nosuchfield:fallback}|%{userdb:nope}",
                "bob"
            ),
            b"/home/bob|fallback|"
        );
    }

    #[test]
    fn quirk_1_minus_without_dot_is_ignored() {
        assert_eq!(ok("%-3u", A), b"ali");
        assert_eq!(ok("%-08n", "alice"), b"000alice");
    }

    #[test]
    fn quirk_2_negative_width_wraps() {
        assert_eq!(ok("%.-2u", "a@b"), b"a");
        assert_eq!(ok("%.-3u", "a@b"), b"");
        assert_eq!(ok("%.-5u", "a@b"), b"a@b");
        assert_eq!(ok("%.-5u", "alice"), b"");
        assert_eq!(ok("%-3.2u", A), b"co");
        assert_eq!(ok("%2147483648u", "alice"), b"alice");
        assert_eq!(ok("%4294967297u", "alice"), b"a");
        assert_eq!(ok("%-2147483648.2u", "alice"), b"al");
    }

    #[test]
    fn quirk_3_and_4_hash_modifiers() {
        assert_eq!(ok("%Nu", A), b"69a4f0bf");
        assert_eq!(ok("/var/cache/mails/%4Nu", A), b"/var/cache/mails/3");
        assert_eq!(ok("/var/cache/mails/%4Nu", "alice"), b"/var/cache/mails/1");
        assert_eq!(ok("%4.256Hu", A), b"00bd");
        assert_eq!(ok("%8Mu/%u", A), b"c160f8cc/alice@example.com");
        assert_eq!(ok("%2.2Mu", A), b"60");
        assert_eq!(ok("%LMu", "ALICE"), ok("%Mu", "alice"));
    }

    #[test]
    fn quirk_5_hash_functions() {
        assert_eq!(err("%{MD5:user}", A), "(null)");
        assert_eq!(
            ok("%{md5;format=hexuc:user}", A),
            b"c160f8cc69a4f0bf2b0362752353d060"
        );
        assert_eq!(
            ok("%{md5;salt=x,format=base64:user}", A),
            ok("%{md5;salt=x:user}", A)
        );
        assert_eq!(ok("%{md5;truncate=12:user}", A), b"0c16");
        assert_eq!(ok("%{size:user}", A), b"0000000000000011");
        assert_eq!(ok("%{md5;junk:user}", A), ok("%{md5:user}", A));
        assert_eq!(err("%{md5:n}", A), "Unknown variable '%n'");
        assert_eq!(err("%{md5:%u}", A), "Unknown variable '%%u'");
        assert_eq!(
            err("%{md5;rounds=0:user}", A),
            "Cannot parse hash arguments:rounds must be at least 1"
        );
        assert_eq!(
            err("%{md5;truncate=8;format=base64:user}", A),
            "Cannot parse hash arguments:'8;format=base64' is not number for truncbits"
        );
        assert_eq!(
            err("%{md5;format=bin:user}", A),
            "Cannot parse hash arguments:'bin' is not supported format"
        );
        assert_eq!(ok("%{pkcs5;rounds=1,truncate=64:user}", A).len(), 16);
        assert_eq!(ok("%{pkcs5:user}", "alice").len(), 672);
    }

    #[test]
    fn quirk_6_trailing_percent_vs_open_brace() {
        assert_eq!(ok("x%5", A), b"x");
        assert_eq!(ok("%u%", "a"), b"a");
        assert_eq!(err("%{user", A), "Unknown variable '%{'");
    }

    #[test]
    fn quirk_7_bytes_not_characters() {
        assert_eq!(ok("%2n", "jürgen@example.de"), b"j\xc3");
        assert_eq!(ok("%Rn", "jü"), b"\xbc\xc3j");
        assert_eq!(ok("%Lu", "JÜ"), "jÜ".as_bytes());
    }

    #[test]
    fn percent_escapes() {
        assert_eq!(ok("%%3A|100%%|%%u|%5%|%L%", A), b"%3A|100%|%u|%|%");
        assert_eq!(err("SEC%2FRET", A), "Unknown variable '%F'");
        assert_eq!(err("%3A", A), "Unknown variable '%A'");
        assert_eq!(ok("%u", "pct%user"), b"pct%user");
    }

    #[test]
    fn error_slot_rules() {
        // short: first wins; long: last wins; nested calls clear the slot
        assert_eq!(err("%q%w", A), "Unknown variable '%q'");
        assert_eq!(err("%{a}%{b}", A), "Unknown variable '%b'");
        assert_eq!(err("%{nosuch}%q", A), "Unknown variable '%nosuch'");
        assert_eq!(err("%q%{nosuch}", A), "Unknown variable '%nosuch'");
        assert_eq!(err("%{MD5:user}%q", A), "Unknown variable '%q'");
        assert_eq!(err("%q%{md5;salt=x:user}", A), "(null)");
        assert_eq!(err("%q%{if;a;eq;a;x;y}", A), "(null)");
        assert_eq!(err("%{md:user}", A), "Unknown variable '%md'");
        assert_eq!(err("%{:user}", A), "Unknown variable '%'");
        assert_eq!(err("%{system:hostname}", A), "Unknown variable '%system'");
        // an unknown variable in a salt does not fail the hash
        assert!(expand_str(b"%{md5;salt=%q:user}", &ctx(A)).is_ok());
    }

    #[test]
    fn failed_directives_write_their_raw_value() {
        let mut out = Vec::new();
        let e = expand_into(&Template::parse(b"a%5Lqb%{x:y}c"), &ctx(A), &mut out).unwrap_err();
        assert_eq!(out, b"aUNSUPPORTED_VARIABLE_qbUNSUPPORTED_VARIABLE_xc");
        assert_eq!(e.to_string(), "Unknown variable '%x'");
        assert_eq!(e.span, Some(Span::new(6, 12)));
    }

    #[test]
    fn conditionals() {
        assert_eq!(ok("%{if;%d;eq;;nodomain;%d}", "alice"), b"nodomain");
        assert_eq!(ok("%{if;%n;*;a*;starts-a;other}", A), b"starts-a");
        assert_eq!(ok("%{if;%n;~;^[a-z]+$;lower;mixed}", "Bob"), b"mixed");
        assert_eq!(ok("%{IF;%n;eq;alice;is-alice;not-alice}", A), b"is-alice");
        assert_eq!(ok("%{if;1;<;2;yes}", A), b"yes");
        assert_eq!(ok("%{if;1;>;2;yes}", A), b"");
        assert_eq!(
            err("%{if;a;eq;b}", A),
            "if: requires four or five parameters, got 3"
        );
        assert_eq!(err("%{if}", A), "if: missing parameter(s)");
        assert_eq!(err("%{if;1;==; 1;t;f}", A), "if:  1 (rhs) is not a number");
        assert_eq!(err("%{if;a;eq;a;%q;y}", A), "Unknown variable '%q'");
        assert_eq!(
            err("%{if;a;~;(;x;y}", A),
            "if: regex failed: Unmatched ( or \\("
        );
        assert_eq!(
            err("%{if;a;===;b;x;y}", A),
            "if: Unsupported comparator '==='"
        );
        assert_eq!(
            err("%{if;%{user;eq;a;b;c}", A),
            "if: requires four or five parameters, got 1"
        );
        assert_eq!(ok("%{if;a\\;b;eq;a\\;b;same;diff}", A), b"same");
    }

    #[test]
    fn modifiers_and_widths_combined() {
        assert_eq!(ok("%LLLLLLLLLLu", "AB"), b"ab");
        assert_eq!(err("%LLLLLLLLLLLu", "AB"), "Unknown variable '%L'");
        assert_eq!(ok("%X{uid}", A), b"fffe");
        assert_eq!(ok("%Du", "a@sub.example.com"), b"a@sub,dc=example,dc=com");
        assert_eq!(ok("%08n", "alice"), b"000alice");
        assert_eq!(ok("%05n", "alice"), b"alice");
        assert_eq!(ok("%3.u", A), b"ce@example.com");
        assert_eq!(ok("%{user}}", A), b"alice@example.com}");
        assert_eq!(ok("%2.3{user}", A), b"ice");
    }

    #[test]
    fn hash_work_is_bounded_per_expansion() {
        // The budget is shared by all calls of one expansion: three calls
        // of 1000 rounds fit in 3000, a fourth is refused, so a template of
        // thousands of maximal calls ends at once instead of after hours
        // (var_expand fuzzing spent its time in such templates).
        let one = "%{sha256;rounds=1000:user}";
        let run = |n: usize| {
            let t = Template::parse(one.repeat(n).as_bytes());
            let mut out = Vec::new();
            expand_budgeted(&t, &ctx("u"), &mut out, 3000)
        };
        assert!(run(3).is_ok());
        let e = run(4).unwrap_err();
        assert_eq!(e.kind, ExpandErrorKind::HashBudget);
        assert!(
            String::from_utf8_lossy(&e.message()).contains("exceeds obox-cli's limit"),
            "{e}"
        );
        // pkcs5 iterations count ten times.
        let t = Template::parse(b"%{pkcs5;rounds=301:user}");
        assert!(expand_budgeted(&t, &ctx("u"), &mut Vec::new(), 3000).is_err());
    }

    #[test]
    fn resource_limits_are_errors_not_crashes() {
        assert_eq!(
            err("%02147483647u", "a"),
            "zero padding longer than 1048576 bytes (obox-cli limit)"
        );
        assert!(err("%2147483647.1Hu", "a").contains("obox-cli limit"));
        assert!(err("%{md5;rounds=4000000000:user}", "a").contains("obox-cli's limit"));
        let n = 100_000;
        let deep = format!("{}x{}", "%{if;1;==;1;".repeat(n), ";}".repeat(n));
        assert!(err(&deep, "a").contains("obox-cli limit"));
        let shallow = format!("{}x{}", "%{if;1;==;1;".repeat(20), ";}".repeat(20));
        assert_eq!(ok(&shallow, "a"), b"x");
        // unbalanced: every level but the innermost has one part
        let open = format!("{}{}", "%{if;".repeat(n), "}".repeat(n));
        assert_eq!(
            err(&open, "a"),
            "if: requires four or five parameters, got 1"
        );
    }

    #[test]
    fn empty_and_odd_users() {
        assert_eq!(
            ok("%u|%n|%d|%Mu", ""),
            b"|||d41d8cd98f00b204e9800998ecf8427e"
        );
        let c = UserContext::new(b"\xff\xfe@x");
        assert_eq!(expand_str(b"%Ru", &c).unwrap(), b"x@\xfe\xff");
    }

    #[test]
    fn reuse_does_not_leak_state() {
        let t = Template::parse(b"%8Mu/%u");
        let mut c = UserContext::new("alice");
        let mut out = Vec::new();
        expand_into(&t, &c, &mut out).unwrap();
        assert_eq!(out, b"6384e2b2/alice");
        out.clear();
        c.set_user(b"alice@example.com");
        expand_into(&t, &c, &mut out).unwrap();
        assert_eq!(out, b"c160f8cc/alice@example.com");
    }
}
