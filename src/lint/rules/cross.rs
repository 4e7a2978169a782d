//! OBX024/025/035 and OBX061-092: checks across settings.
use crate::diagnostic::Severity;
use crate::fs_chain::{LayerKind, parse_size, parse_time_msecs};
use crate::lint::context::{LintContext, Sink};
use crate::source::Span;

fn obox_root(loc: &str) -> Option<&str> {
    let rest = loc.strip_prefix("obox:")?;
    Some(rest.split(':').next().unwrap_or(""))
}

pub fn check(ctx: &LintContext, sink: &mut Sink) {
    let obox_fs = ctx.site("obox_fs");
    let mail_loc = ctx.global("mail_location");
    let loc_text = ctx.global_text("mail_location").unwrap_or_default();
    let uses_obox = obox_fs.is_some() || loc_text.starts_with("obox:");
    let chain_of = |k: &str| ctx.site(k).and_then(|s| s.chain.as_ref().ok());
    let has_dictmap = chain_of("obox_fs").is_some_and(|c| c.dictmap().is_some());
    // The dispersion-prefix rules are about S3 partitioning (spec §6 D).
    let s3 = chain_of("obox_fs").is_some_and(|c| c.http().is_some_and(|h| h.kind.is_s3()));

    // OBX024: index fs (explicit or inherited) without compress.
    if let Some(site) = ctx.site("obox_index_fs").or(obox_fs)
        && let Ok(c) = &site.chain
        && c.find_layer(|k| matches!(k, LayerKind::Compress(_)))
            .is_none()
    {
        let how = if site.key == "obox_index_fs" {
            ""
        } else {
            " (inherited from obox_fs)"
        };
        sink.report(
            "OBX024",
            site.at(c.span),
            format!("obox_index_fs{how} has no compress layer"),
        );
    }
    // OBX025: mail-level compression plus fs compress.
    let fs_compress = chain_of("obox_fs").is_some_and(|c| {
        c.find_layer(|k| matches!(k, LayerKind::Compress(_)))
            .is_some()
    });
    for k in ["zlib_save", "mail_compress_save"] {
        if let Some(s) = ctx.plugin(k)
            && fs_compress
            && !s.value.bytes.is_empty()
        {
            sink.report(
                "OBX025",
                s.key_origin,
                format!("{k} compresses mails that obox_fs compresses again"),
            );
        }
    }
    inconsistent_storage(ctx, sink);
    // OBX035
    if let Some(s) = ctx.plugin("obox_track_copy_flags")
        && s.value.text() == "yes"
        && (!has_dictmap || !ctx.has_mail_plugin("lazy_expunge"))
    {
        sink.report(
            "OBX035",
            s.key_origin,
            "obox_track_copy_flags needs dictmap and lazy_expunge",
        );
    }
    // OBX061: auth_role needs the fs-auth listener owned by mail_uid.
    let role_site = ctx.sites.iter().find(|s| {
        s.chain
            .as_ref()
            .ok()
            .and_then(|c| c.http())
            .is_some_and(|h| h.url.param("auth_role").is_some_and(|r| !r.is_empty()))
    });
    if let Some(site) = role_site {
        let listener = ctx
            .config
            .root
            .child("service", Some("fs-auth"))
            .and_then(|s| s.child("unix_listener", Some("fs-auth")));
        let mail_uid = ctx.global_text("mail_uid").unwrap_or_default();
        match listener.and_then(|l| l.setting("user")) {
            None => {
                sink.report_as("OBX061", Severity::Warning, site.setting.key_origin, "auth_role is used but no `service fs-auth { unix_listener fs-auth { user } }` is configured");
            }
            // Without mail_uid the uid comes from the userdb, which we
            // cannot see: no verdict then.
            Some(u) if !mail_uid.is_empty() && u.value.text() != mail_uid => {
                sink.report(
                    "OBX061",
                    u.value.origin,
                    format!(
                        "the fs-auth listener user '{}' is not mail_uid '{mail_uid}'",
                        u.value.text()
                    ),
                );
            }
            _ => {}
        }
    }
    // OBX070: credentials in a file others can read.
    #[cfg(unix)]
    for site in &ctx.sites {
        use std::os::unix::fs::PermissionsExt;
        let has_creds = site
            .chain
            .as_ref()
            .ok()
            .and_then(|c| c.http())
            .is_some_and(|h| h.url.userinfo.is_some());
        if !has_creds {
            continue;
        }
        let o = site.setting.value.origin;
        let path = &ctx.config.files.get(o.file).path;
        if let Ok(m) = std::fs::metadata(path)
            && m.permissions().mode() & 0o004 != 0
        {
            sink.report(
                "OBX070",
                site.at(Span::new(0, site.text.len())),
                format!(
                    "{} holds credentials and {path} is world-readable",
                    site.key
                ),
            );
        }
    }
    // mail_location checks.
    if let (Some(ml), Some(root)) = (mail_loc, obox_root(&loc_text)) {
        let root_sp = ml.value.origin_of(Span::new(5, 5 + root.len()));
        if s3 && !has_dictmap {
            let hashed = root.starts_with("%{md5") || regex_like_hash(root);
            if !hashed {
                sink.report(
                    "OBX071",
                    root_sp,
                    format!("the obox root '{root}' has no dispersion prefix"),
                );
            } else if weak_prefix(root) {
                sink.report(
                    "OBX072",
                    root_sp,
                    format!("the dispersion prefix of '{root}' has few distinct values"),
                );
            }
        }
        let rest = &loc_text[5 + root.len()..];
        if !rest.contains(":INDEX=") || !rest.contains(":CONTROL=") {
            sink.report(
                "OBX078",
                ml.value.origin,
                "obox mail_location without INDEX= and CONTROL= on local storage",
            );
        }
        let uses_home = loc_text.contains("~/")
            || loc_text.contains("%h")
            || ctx.sites.iter().any(|s| s.text.contains("%h"));
        if uses_home && ctx.global("mail_home").is_none() {
            sink.report(
                "OBX086",
                ml.value.origin,
                "`~/` or `%h` is used but mail_home is not set",
            );
        }
        // OBX074/075: FTS path per user and under the root.
        if let Some(fts) = ctx.site("fts_dovecot_fs")
            && let Some(h) = fts.chain.as_ref().ok().and_then(|c| c.http())
        {
            let p = &h.url.path.value;
            let dict_prefix = fts
                .chain
                .as_ref()
                .ok()
                .and_then(|c| c.dictmap())
                .and_then(|d| d.param("dict-prefix"))
                .and_then(|p| p.value.as_ref())
                .map(|v| v.value.clone());
            let per_user = |s: &str| {
                s.contains("%u")
                    || s.contains("%n")
                    || s.contains("%{user}")
                    || s.contains("%{username}")
                    || s.contains("Mu")
                    || s.contains("Nu")
            };
            if !per_user(p) && !dict_prefix.as_deref().is_some_and(per_user) {
                sink.report(
                    "OBX074",
                    fts.at(h.url.path.span),
                    format!("the fts_dovecot_fs path '{p}' has no per-user variable"),
                );
            } else if dict_prefix.is_none()
                && p.trim_matches('/') != format!("{}/fts", root.trim_matches('/'))
            {
                sink.report(
                    "OBX075",
                    fts.at(h.url.path.span),
                    format!("the fts_dovecot_fs path '{p}' is not '/{root}/fts/'"),
                );
            }
        }
    }
    // OBX077, per distinct value (a filter's own value included): plugin
    // presence is judged where that value is used (`site_has_plugin`).
    for s in ctx.sites.iter().filter(|s| s.key == "obox_fs") {
        if !loc_text.starts_with("obox:") {
            sink.report(
                "OBX077",
                s.setting.key_origin,
                "obox_fs is set but mail_location is not obox:",
            );
        } else if !ctx.site_has_plugin(s, "obox") {
            let at = ctx
                .global("mail_plugins")
                .map_or(s.setting.key_origin, |m| m.value.origin);
            sink.report(
                "OBX077",
                at,
                "obox_fs is set but `obox` is not in mail_plugins",
            );
        }
    }
    for s in ctx.sites.iter().filter(|s| s.key == "fts_dovecot_fs") {
        let fts_dovecot = ctx
            .plugin_values_for(s, "fts")
            .iter()
            .any(|v| v == "dovecot");
        if !ctx.site_has_plugin(s, "fts_dovecot") || !fts_dovecot {
            sink.report(
                "OBX077",
                s.setting.key_origin,
                "fts_dovecot_fs is set but `fts fts_dovecot` plugins / `fts = dovecot` are missing",
            );
        }
    }
    if !uses_obox {
        return;
    }
    let global_or_key = |k: &str| ctx.global(k).map(|s| s.value.origin);
    let anchor = obox_fs
        .map(|s| s.setting.key_origin)
        .or(mail_loc.map(|m| m.key_origin))
        .unwrap_or_default();
    if let Some(s) = ctx.global("mailbox_list_index")
        && s.value.text() == "no"
    {
        sink.report(
            "OBX079",
            s.value.origin,
            "mailbox_list_index = no, but obox requires it",
        );
    }
    let prefetch = ctx
        .global_text("mail_prefetch_count")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    if prefetch == 0 {
        sink.report(
            "OBX080",
            global_or_key("mail_prefetch_count").unwrap_or(anchor),
            "mail_prefetch_count is 0, so obox works without parallelism",
        );
    }
    let num = |k: &str| ctx.plugin_text(k).and_then(|v| v.parse::<u64>().ok());
    if let Some(http) = chain_of("obox_fs").and_then(|c| c.http()) {
        let limit = http
            .url
            .param("bulk_delete_limit")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000u64);
        let deletes = num("obox_max_parallel_deletes").unwrap_or(prefetch);
        let at = ctx
            .plugin("obox_max_parallel_deletes")
            .map_or(anchor, |s| s.value.origin);
        if deletes > limit && limit > 0 {
            sink.report(
                "OBX081",
                at,
                format!(
                    "obox_max_parallel_deletes ({deletes}) is above bulk_delete_limit ({limit})"
                ),
            );
        } else if http.kind.is_s3() && limit > 0 && deletes * 2 < limit {
            sink.report("OBX082", at, format!("obox_max_parallel_deletes ({deletes}) is well below bulk_delete_limit ({limit})"));
        }
    }
    match ctx.plugin("metacache_max_space") {
        None => {
            sink.report("OBX083", anchor, "metacache_max_space is not set");
        }
        Some(s) if parse_size(&s.value.text()).is_ok_and(|x| x.bytes == 0) => {
            sink.report("OBX083", s.value.origin, "metacache_max_space is 0");
        }
        _ => {}
    }
    if let Some(s) = ctx.plugin("metacache_close_delay") {
        let expire = ctx
            .global_text("director_user_expire")
            .and_then(|v| parse_time_msecs(&v).ok())
            .unwrap_or(15 * 60_000);
        if parse_time_msecs(&s.value.text()).is_ok_and(|d| d >= expire) {
            sink.report(
                "OBX084",
                s.value.origin,
                "metacache_close_delay is not below director_user_expire",
            );
        }
    }
    if obox_fs.is_some() && ctx.site("obox_index_fs").is_none() {
        sink.report(
            "OBX085",
            anchor,
            "obox_index_fs is not set and inherits obox_fs",
        );
    }
    removed_settings(ctx, sink);
    // OBX089: workarounds set outside remote {}.
    for k in [
        "obox_fetch_lost_mails_as_empty",
        "obox_allow_inconsistency",
        "obox_allow_nonreproducible_uids",
    ] {
        if let Some(s) = ctx.plugin(k)
            && s.value.text() == "yes"
        {
            sink.report(
                "OBX089",
                s.key_origin,
                format!("{k} is set globally, not inside remote {{ }}"),
            );
        }
    }
    // OBX092: new syntax.
    for sec in &ctx.config.root.sections {
        if sec.ty == "fs"
            && let Some(h) = sec.header
        {
            sink.report("OBX092", h, "named `fs { }` blocks are 2.4/3.1 syntax");
        }
    }
}

/// OBX088: settings removed or renamed for the target version.
fn removed_settings(ctx: &LintContext, sink: &mut Sink) {
    let target = ctx.settings.target;
    let v3 = target.at_least(3, 0, 0);
    for (k, removed) in [
        ("obox_use_object_ids", true),
        ("obox_allow_inconsistency", v3),
        ("metacache_disable_merging", v3),
    ] {
        if let Some(s) = ctx.plugin(k)
            && removed
        {
            sink.report("OBX088", s.key_origin, format!("{k} was removed"));
        }
    }
    if let Some(s) = ctx.plugin("metacache_index_merging")
        && v3
        && s.value.text() == "v1"
    {
        sink.report(
            "OBX088",
            s.value.origin,
            "metacache_index_merging=v1 was removed in 3.0",
        );
    }
    // Mail-level compression (spec §2.5): the 2.3 zlib plugin reads
    // `zlib_save`/`zlib_save_level`; 3.0 calls them `mail_compress_save`
    // and `mail_compress_save_level`. Each name is unknown to the other
    // version, so mails silently stay uncompressed there.
    let (old_names, new_names) = (
        ["zlib_save", "zlib_save_level"],
        ["mail_compress_save", "mail_compress_save_level"],
    );
    let (wrong, right) = if v3 {
        (old_names, new_names)
    } else {
        (new_names, old_names)
    };
    for (w, r) in wrong.iter().zip(right) {
        if let Some(s) = ctx.plugin(w) {
            let era = if v3 { "2.3" } else { "3.0" };
            sink.report(
                "OBX088",
                s.key_origin,
                format!("{w} is the Dovecot {era} name; with target {target} the setting is {r}"),
            )
            .help(format!("rename it to `{r}`"));
        }
    }
}

/// `%8Mu`, `%2Mu`, `%N`, `%H` forms at the start of the root.
fn regex_like_hash(root: &str) -> bool {
    let b = root.as_bytes();
    if b.first() != Some(&b'%') {
        return false;
    }
    let mut i = 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        i += 1;
    }
    // modifiers, then the hash letter
    b[i..]
        .iter()
        .take(3)
        .any(|c| matches!(c, b'M' | b'N' | b'H'))
}

fn weak_prefix(root: &str) -> bool {
    let b = root.as_bytes();
    let digits: String = root[1..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let rest = &root[1 + digits.len()..];
    let n: u64 = digits.parse().unwrap_or(0);
    let first_mod = rest.chars().next();
    match first_mod {
        Some('N') | Some('H') => n > 0 && n < 16,
        Some('M') => n > 0 && n < 6 || b.contains(&b'U'),
        _ => rest.starts_with('U'),
    }
}

/// OBX073: obox_fs, obox_index_fs and fts_dovecot_fs on different schemes,
/// endpoints, buckets or access keys; an error when AWS regions differ.
/// Each later chain is compared with the first one that has a URL.
fn inconsistent_storage(ctx: &LintContext, sink: &mut Sink) {
    let http: Vec<_> = ctx
        .sites
        .iter()
        .filter_map(|s| s.chain.as_ref().ok().and_then(|c| c.http()).map(|h| (s, h)))
        .collect();
    let Some(&(s0, h0)) = http.first() else {
        return;
    };
    let bucket = |h: &crate::fs_chain::HttpStorage| {
        h.addressing
            .as_ref()
            .and_then(|a| a.bucket())
            .map(str::to_string)
    };
    let endpoint = |h: &crate::fs_chain::HttpStorage| {
        let host = h.url.host.value.to_ascii_lowercase();
        let host = match &h.addressing {
            Some(crate::fs_chain::Addressing::VirtualHosted { bucket }) => host
                .strip_prefix(&format!("{}.", bucket.to_ascii_lowercase()))
                .map(str::to_string)
                .unwrap_or(host),
            _ => host,
        };
        (host, h.url.port.as_ref().map(|p| p.value))
    };
    let region = |h: &crate::fs_chain::HttpStorage| {
        h.url
            .param("region")
            .map(str::to_string)
            .or_else(|| h.aws_host.as_ref().and_then(|a| a.region.clone()))
    };
    for &(s, h) in &http[1..] {
        let mut what = Vec::new();
        if h.url.scheme.value != h0.url.scheme.value {
            what.push(format!(
                "scheme {} vs {}",
                h.url.scheme.value, h0.url.scheme.value
            ));
        }
        if endpoint(h) != endpoint(h0) {
            what.push(format!("endpoint {} vs {}", endpoint(h).0, endpoint(h0).0));
        }
        if bucket(h) != bucket(h0) {
            let b = |x: Option<String>| x.unwrap_or_else(|| "(none)".into());
            what.push(format!("bucket {} vs {}", b(bucket(h)), b(bucket(h0))));
        }
        if let (Some(a), Some(b)) = (&h.url.userinfo, &h0.url.userinfo)
            && a.user.decoded != b.user.decoded
        {
            what.push("access key".into());
        }
        let aws_regions = h.aws_host.is_some() && h0.aws_host.is_some();
        let region_differs = aws_regions
            && matches!((region(h), region(h0)), (Some(a), Some(b)) if a != b && !a.contains('%') && !b.contains('%'));
        if region_differs {
            what.push(format!(
                "AWS region {} vs {}",
                region(h).unwrap_or_default(),
                region(h0).unwrap_or_default()
            ));
        }
        if what.is_empty() {
            continue;
        }
        let sev = if region_differs {
            Severity::Error
        } else {
            Severity::Warning
        };
        sink.report_as(
            "OBX073",
            sev,
            s.at(h.url.host.span),
            format!("{} and {} differ: {}", s.key, s0.key, what.join(", ")),
        )
        .also(s0.at(h0.url.host.span), format!("{} storage", s0.key));
    }
}
