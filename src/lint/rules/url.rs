//! OBX041-069: URL credentials, parameters, addressing and signing.
use crate::diagnostic::Severity;
use crate::fs_chain::{
    Addressing, HttpDriver, Typed, edit_distance, is_plausible_region, names_for,
};
use crate::lint::context::{LintContext, Sink};

pub fn check(ctx: &LintContext, sink: &mut Sink) {
    for site in &ctx.sites {
        let Ok(chain) = &site.chain else { continue };
        let Some(h) = chain.http() else { continue };
        let key = site.key;
        let u = &h.url;
        let drv = h.driver.value.as_str();
        let host = u.host.value.to_ascii_lowercase();
        let loopback = host == "localhost" || host.starts_with("127.") || host == "[::1]";
        let at = |sp| site.at(sp);
        if let Some(ls) = u.leading_space {
            sink.report(
                "OBX004",
                at(ls),
                format!("{key}: whitespace between '{drv}:' and the URL"),
            );
        }
        if !u.secure {
            if u.userinfo.is_some() {
                sink.report(
                    "OBX041",
                    at(u.scheme.span),
                    format!("{key}: credentials are sent over plain http://"),
                );
            } else if !loopback {
                sink.report(
                    "OBX042",
                    at(u.scheme.span),
                    format!("{key}: plain http:// to {}", u.host.value),
                );
            }
        }
        if let Some(ui) = &u.userinfo {
            if let Some(p) = &ui.password
                && p.raw.contains(':')
            {
                sink.report(
                    "OBX044",
                    at(p.span),
                    format!("{key}: the secret contains a raw ':'"),
                );
            }
            for s in std::iter::once(&ui.user).chain(ui.password.iter()) {
                if s.decoded.contains('\0') {
                    sink.report(
                        "OBX045",
                        at(s.span),
                        format!("{key}: credentials decode to a NUL byte"),
                    );
                }
            }
        }
        // Parameters.
        let mut seen: Vec<&str> = Vec::new();
        for p in &u.params {
            let n = p.name.value.as_str();
            match (&p.typed, p.spec) {
                (_, None) if ctx.settings.uncertain.unknown_params => {
                    let near = names_for(drv)
                        .map(|k| (edit_distance(n, k), k))
                        .filter(|&(d, _)| d <= 2)
                        .min();
                    let sev = if near.is_some() {
                        Severity::Error
                    } else {
                        Severity::Warning
                    };
                    let d = sink.report_as(
                        "OBX046",
                        sev,
                        at(p.name.span),
                        format!("{key}: unknown {drv} URL parameter '{n}'"),
                    );
                    if let Some((_, k)) = near {
                        d.help(format!("did you mean `{k}`?"));
                    }
                }
                (Typed::TimeMissingUnit { .. }, _) if ctx.settings.uncertain.unitless_time => {
                    sink.report("OBX048", at(p.span), format!("{key}: {n} has no time unit"));
                }
                (Typed::Invalid { reason }, Some(spec))
                    if spec.ty == crate::fs_chain::ParamType::Time =>
                {
                    sink.report("OBX048", at(p.span), format!("{key}: {n}: {reason}"));
                }
                _ => {}
            }
            if let Some(spec) = p.spec {
                if let Some(by) = spec.deprecated_by {
                    sink.report(
                        "OBX047",
                        at(p.name.span),
                        format!("{key}: URL parameter {n} is deprecated"),
                    )
                    .help(format!("use `{by}`"));
                }
                if !spec.repeatable && seen.contains(&n) {
                    sink.report(
                        "OBX049",
                        at(p.span),
                        format!("{key}: URL parameter {n} is given more than once"),
                    );
                }
                if matches!(n, "addhdrvar" | "loghdr" | "auth_role")
                    && !ctx.settings.target.at_least(2, 3, 10)
                {
                    sink.report(
                        "OBX087",
                        at(p.name.span),
                        format!("{key}: {n} needs 2.3.10"),
                    );
                }
            }
            seen.push(n);
            let val = p.value_str().unwrap_or("");
            match n {
                "auth_host" if val != "169.254.169.254:80" && val != "169.254.169.254" => {
                    sink.report(
                        "OBX062",
                        at(p.span),
                        format!("{key}: auth_host points to {val}"),
                    );
                }
                "class" if h.kind == HttpDriver::Sproxyd && key != "fts_dovecot_fs" => {
                    if matches!(p.typed, Typed::Uint { value } if value < 2) {
                        sink.report(
                            "OBX063",
                            at(p.span),
                            format!("{key}: sproxyd class {val} keeps fewer than 3 copies"),
                        );
                    }
                }
                "no_trace_headers" if matches!(p.typed, Typed::Bool { value: true }) => {
                    sink.report(
                        "OBX066",
                        at(p.span),
                        format!("{key}: no_trace_headers is on"),
                    );
                }
                "max_retries" | "read_max_retries" | "write_max_retries" | "delete_max_retries"
                    if matches!(p.typed, Typed::Uint { value: 0 }) =>
                {
                    sink.report(
                        "OBX068",
                        at(p.span),
                        format!("{key}: {n}=0 disables retries"),
                    );
                }
                "addhdrvar" if val.contains("%{auth:") && !val.contains("%%{auth:") => {
                    sink.report(
                        "OBX069",
                        at(p.span),
                        format!(
                            "{key}: %{{auth:...}} with a single '%' is expanded per user first"
                        ),
                    );
                }
                _ => {}
            }
        }
        // OBX067: absolute_timeout below timeout.
        let ms = |name: &str| {
            u.params_named(name).last().and_then(|p| match p.typed {
                Typed::Time { msecs } | Typed::Msecs { msecs } => Some((msecs, p.span)),
                _ => None,
            })
        };
        if let Some((abs, sp)) = ms("absolute_timeout") {
            let timeout = ms("timeout").map_or(10_000, |t| t.0);
            if abs < timeout {
                sink.report(
                    "OBX067",
                    at(sp),
                    format!("{key}: absolute_timeout is smaller than timeout ({timeout} ms)"),
                );
            }
        }
        if h.kind == HttpDriver::Scality {
            let t = ms("timeout").map_or(10_000, |t| t.0);
            if t <= 60_000 {
                sink.report(
                    "OBX064",
                    at(h.driver.span),
                    format!("{key}: Scality CDMI timeout {t} ms is not above Scality's 60 s"),
                );
            } else if !u.params_named("addhdr").any(|p| {
                p.value_str()
                    .is_some_and(|v| v.to_ascii_lowercase().starts_with("x-dovecot-hash:"))
            }) {
                sink.report(
                    "OBX064",
                    at(h.driver.span),
                    format!("{key}: Scality CDMI without addhdr=X-Dovecot-Hash:..."),
                );
            }
        }
        if (h.kind == HttpDriver::Sproxyd || chain.dictmap().is_some())
            && u.param("reason_header_max_length").is_none()
        {
            sink.report(
                "OBX065",
                at(h.driver.span),
                format!("{key}: reason_header_max_length is not set"),
            );
        }
        if key != "fts_dovecot_fs" && !matches!(u.path.value.as_str(), "" | "/") {
            sink.report(
                "OBX076",
                at(u.path.span),
                format!(
                    "{key}: the URL path '{}' is put before every object key",
                    u.path.value
                ),
            );
        }
        // S3 specifics.
        if !h.kind.is_s3() {
            continue;
        }
        let aws = h.aws_host.as_ref();
        let region = u.params_named("region").last();
        match region {
            None => {
                let sev = if aws.is_some() {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                sink.report_as(
                    "OBX050",
                    sev,
                    at(h.url.host.span),
                    format!("{key}: {drv} without region signs with AWS SigV2"),
                );
            }
            Some(r) => {
                let rv = r.value_str().unwrap_or("");
                if let Some(a) = aws {
                    if let Some(hr) = &a.region
                        && hr != rv
                        && !rv.contains('%')
                    {
                        sink.report(
                            "OBX051",
                            at(r.span),
                            format!("{key}: region={rv} but the host is in {hr}"),
                        )
                        .also(at(u.host.span), "host region");
                    }
                    if !is_plausible_region(rv) && !rv.contains('%') {
                        sink.report(
                            "OBX052",
                            at(r.span),
                            format!("{key}: '{rv}' is not an AWS region code"),
                        );
                    }
                }
            }
        }
        match (&h.addressing, aws) {
            (Some(Addressing::NoBucket), Some(_)) => {
                sink.report(
                    "OBX053",
                    at(u.host.span),
                    format!("{key}: no bucket in the host name and no bucket= parameter"),
                );
            }
            (Some(Addressing::PathStyle { .. }), Some(a)) => {
                if a.bucket.is_some() {
                    sink.report(
                        "OBX054",
                        at(u.host.span),
                        format!("{key}: bucket both in the host name and in bucket="),
                    );
                } else {
                    sink.report(
                        "OBX056",
                        at(u.host.span),
                        format!("{key}: path-style addressing (bucket=) against AWS"),
                    );
                }
            }
            (Some(Addressing::VirtualHosted { bucket }), Some(_))
                if bucket.contains('.') && u.secure =>
            {
                sink.report("OBX055", at(u.host.span), format!("{key}: bucket name '{bucket}' has dots, which the AWS certificate does not cover"));
            }
            _ => {}
        }
        if h.kind == HttpDriver::S3 && aws.is_some() {
            sink.report(
                "OBX057",
                at(h.driver.span),
                format!("{key}: s3 with an AWS host; aws-s3 adds token and request-id handling"),
            );
        }
        if h.kind == HttpDriver::AwsS3 && aws.is_none() {
            sink.report(
                "OBX058",
                at(h.driver.span),
                format!("{key}: aws-s3 with the non-AWS host {}", u.host.value),
            );
        }
        let role = u.param("auth_role").filter(|r| !r.is_empty());
        if u.userinfo.is_none() && role.is_none() {
            sink.report(
                "OBX059",
                at(u.host.span),
                format!("{key}: neither credentials nor auth_role"),
            );
        }
        if let (Some(ui), Some(_)) = (&u.userinfo, role)
            && ctx.settings.uncertain.credentials_and_role
        {
            sink.report(
                "OBX060",
                at(ui.span),
                format!("{key}: static credentials and auth_role are both set"),
            );
        }
    }
}
