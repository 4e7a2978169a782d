//! The documented URL parameters of the HTTP storage drivers (spec §3),
//! and their typed values. Unknown parameters are kept, untyped: whether
//! Pro refuses or ignores them is an open question, so the linter decides.
use super::time::{TimeError, parse_time_msecs};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParamType {
    /// Time with a unit, millisecond precision (`10s`, `500ms`).
    Time,
    /// Deprecated `*_msecs` integer milliseconds.
    Msecs,
    Uint,
    /// `0`/`1` (also yes/no/true/false).
    Bool,
    Str,
    /// `NAME:VALUE` header.
    Header,
    /// A bare flag that needs no value (`use_listing`, `by-path`).
    Flag,
}

/// Which drivers a parameter belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParamScope {
    AllHttp,
    S3,
    Sproxyd,
    Scality,
    Azure,
    Swift,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParamSpec {
    pub name: &'static str,
    pub ty: ParamType,
    pub scope: ParamScope,
    /// May be given more than once (2.3.10+).
    pub repeatable: bool,
    /// The replacement, when the parameter is deprecated.
    pub deprecated_by: Option<&'static str>,
}

const fn p(name: &'static str, ty: ParamType, scope: ParamScope) -> ParamSpec {
    ParamSpec {
        name,
        ty,
        scope,
        repeatable: false,
        deprecated_by: None,
    }
}
const fn rep(name: &'static str, ty: ParamType) -> ParamSpec {
    ParamSpec {
        name,
        ty,
        scope: ParamScope::AllHttp,
        repeatable: true,
        deprecated_by: None,
    }
}
const fn dep(name: &'static str, ty: ParamType, scope: ParamScope, by: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        ty,
        scope,
        repeatable: false,
        deprecated_by: Some(by),
    }
}

use ParamScope as S;
use ParamType as T;

pub const PARAMS: &[ParamSpec] = &[
    p("absolute_timeout", T::Time, S::AllHttp),
    dep(
        "absolute_timeout_msecs",
        T::Msecs,
        S::AllHttp,
        "absolute_timeout",
    ),
    rep("addhdr", T::Header),
    rep("addhdrvar", T::Header),
    rep("loghdr", T::Str),
    p("bucket", T::Str, S::AllHttp),
    p("bulk_delete_limit", T::Uint, S::AllHttp),
    dep("bulk_delete", T::Bool, S::AllHttp, "bulk_delete_limit"),
    p("connect_timeout", T::Time, S::AllHttp),
    dep(
        "connect_timeout_msecs",
        T::Msecs,
        S::AllHttp,
        "connect_timeout",
    ),
    p("delete_max_retries", T::Uint, S::AllHttp),
    p("delete_timeout", T::Time, S::AllHttp),
    dep(
        "delete_timeout_msecs",
        T::Msecs,
        S::AllHttp,
        "delete_timeout",
    ),
    p("max_connect_retries", T::Uint, S::AllHttp),
    p("max_retries", T::Uint, S::AllHttp),
    p("no_trace_headers", T::Bool, S::AllHttp),
    p("read_max_retries", T::Uint, S::AllHttp),
    p("read_timeout", T::Time, S::AllHttp),
    dep("read_timeout_msecs", T::Msecs, S::AllHttp, "read_timeout"),
    p("reason_header_max_length", T::Uint, S::AllHttp),
    p("slow_warn", T::Time, S::AllHttp),
    dep("slow_warn_msecs", T::Msecs, S::AllHttp, "slow_warn"),
    p("timeout", T::Time, S::AllHttp),
    dep("timeout_msecs", T::Msecs, S::AllHttp, "timeout"),
    p("write_max_retries", T::Uint, S::AllHttp),
    p("write_timeout", T::Time, S::AllHttp),
    dep("write_timeout_msecs", T::Msecs, S::AllHttp, "write_timeout"),
    p("region", T::Str, S::S3),
    p("auth_role", T::Str, S::S3),
    p("auth_host", T::Str, S::S3),
    p("class", T::Uint, S::Sproxyd),
    p("by-path", T::Flag, S::Sproxyd),
    p("avoid_423", T::Time, S::Sproxyd),
    p("preserve_objectid_prefix", T::Str, S::Scality),
    p("bulk_link_limit", T::Uint, S::Scality),
    dep("bulk_link", T::Bool, S::Scality, "bulk_link_limit"),
    p("use_listing", T::Flag, S::Scality),
    p("container", T::Str, S::Swift),
    p("key_prefix", T::Str, S::Swift),
    p("auth_protocol", T::Str, S::Swift),
    p("tenant", T::Str, S::Swift),
    p("project", T::Str, S::Swift),
    p("internal_url", T::Str, S::Swift),
];

/// The spec of `name` as used with `driver`, if documented for it.
pub fn lookup(driver: &str, name: &str) -> Option<&'static ParamSpec> {
    PARAMS
        .iter()
        .filter(|s| s.name == name)
        .find(|s| scope_applies(s.scope, driver) || (name == "region" && driver == "swift"))
}

/// Every parameter name valid for `driver` (for suggestions).
pub fn names_for(driver: &str) -> impl Iterator<Item = &'static str> + '_ {
    PARAMS
        .iter()
        .filter(move |s| scope_applies(s.scope, driver))
        .map(|s| s.name)
}

fn scope_applies(scope: ParamScope, driver: &str) -> bool {
    match scope {
        S::AllHttp => true,
        S::S3 => matches!(driver, "s3" | "aws-s3"),
        S::Sproxyd => driver == "sproxyd",
        S::Scality => driver == "scality",
        S::Azure => driver == "azure",
        S::Swift => driver == "swift",
    }
}

/// A parameter value read according to its type. Problems are kept, not
/// raised: Pro's handling of bad values is undocumented (spec §8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Typed {
    Time {
        msecs: u64,
    },
    Msecs {
        msecs: u64,
    },
    Uint {
        value: u64,
    },
    Bool {
        value: bool,
    },
    Str,
    Header {
        name: String,
        value: String,
    },
    Flag,
    Invalid {
        reason: String,
    },
    /// A time without a unit (`timeout=30`): 2.3 settings refuse this.
    TimeMissingUnit {
        number: u64,
    },
    Unknown,
}

pub fn type_value(spec: Option<&ParamSpec>, value: Option<&str>) -> Typed {
    let Some(spec) = spec else {
        return Typed::Unknown;
    };
    let v = value.unwrap_or("");
    let bad = |r: &str| Typed::Invalid { reason: r.into() };
    match spec.ty {
        T::Flag => Typed::Flag,
        T::Str => Typed::Str,
        T::Time => match parse_time_msecs(v) {
            Ok(msecs) => Typed::Time { msecs },
            Err(TimeError::MissingUnit) => Typed::TimeMissingUnit {
                number: v.parse().unwrap_or(0),
            },
            Err(e) => bad(&e.to_string()),
        },
        T::Msecs => match v.parse::<u64>() {
            Ok(msecs) => Typed::Msecs { msecs },
            Err(_) => bad("expected a number of milliseconds"),
        },
        T::Uint => match v.parse::<u64>() {
            Ok(value) if !v.starts_with('+') => Typed::Uint { value },
            _ => bad("expected an unsigned integer"),
        },
        T::Bool => match v {
            "1" | "yes" | "true" => Typed::Bool { value: true },
            "0" | "no" | "false" => Typed::Bool { value: false },
            // A bare flag (`no_trace_headers`) reads as on.
            "" if value.is_none() => Typed::Bool { value: true },
            _ => bad("expected 0 or 1"),
        },
        T::Header => match v.split_once(':') {
            Some((n, val)) if !n.is_empty() => Typed::Header {
                name: n.to_string(),
                value: val.to_string(),
            },
            _ => bad("expected NAME:VALUE"),
        },
    }
}
