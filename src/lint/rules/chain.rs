//! OBX010-039: chain structure, per fs setting.
use crate::fs_chain::{Backend, FsChain, FsChainErrorKind as K, HttpDriver, LayerKind, suggest};
use crate::lint::context::{FsSite, LintContext, Sink};

pub fn check(ctx: &LintContext, sink: &mut Sink) {
    for site in &ctx.sites {
        // Recoverable problems first (reading order), then either the
        // fatal one or every structure rule on the AST they did not stop.
        for e in &site.notes {
            parse_error(site, e, sink);
        }
        match &site.chain {
            Err(e) => parse_error(site, e, sink),
            Ok(chain) => structure(ctx, site, chain, sink),
        }
    }
    // OBX017: same fscache dir for mail and FTS.
    let dir = |key: &str| {
        ctx.site(key)
            .and_then(|s| s.chain.as_ref().ok())
            .and_then(|c| {
                c.all_layers().into_iter().find_map(|l| match &l.kind {
                    LayerKind::FsCache(f) => Some(f.path.clone()),
                    _ => None,
                })
            })
    };
    if let (Some(m), Some(f)) = (dir("obox_fs"), dir("fts_dovecot_fs"))
        && m.value == f.value
    {
        let site = ctx.site("fts_dovecot_fs").expect("has chain");
        sink.report(
            "OBX017",
            site.at(f.span),
            format!(
                "fts_dovecot_fs uses the same fscache directory as obox_fs ({})",
                f.value
            ),
        )
        .also(
            ctx.site("obox_fs").expect("has chain").at(m.span),
            "obox_fs cache",
        );
    }
}

fn parse_error(site: &FsSite, e: &crate::fs_chain::FsChainError, sink: &mut Sink) {
    let code = match &e.kind {
        K::UnknownDriver(_) => "OBX010",
        K::ParentMissing | K::DictMapParentMissing | K::FsCacheArgsMissing | K::TooDeep => "OBX011",
        K::FsCacheSize { .. } => "OBX012",
        K::CompressMethodMissing
        | K::CompressMethodUnknown(_)
        | K::CompressMethodUnsupported(_) => "OBX019",
        K::CompressLevel { .. } => "OBX020",
        K::DictMapSeparator { .. } => "OBX029",
        K::InvalidUrl(why) if why.contains("must be percent-encoded") => "OBX043",
        K::InvalidUrl(why) if why.contains("percent-encoding") => "OBX045",
        K::InvalidUrl(_) => "OBX040",
        _ => "OBX039",
    };
    sink.report(code, site.at(e.span), format!("{}: {e}", site.key));
}

fn structure(ctx: &LintContext, site: &FsSite, chain: &FsChain, sink: &mut Sink) {
    let layers = chain.all_layers();
    let key = site.key;
    // OBX010 for lenient unknown leaves.
    if let Backend::Unknown { driver, .. } = chain.storage() {
        let d = sink.report(
            "OBX010",
            site.at(driver.span),
            format!("{key}: Unknown fs driver: {}", driver.value),
        );
        if let Some(s) = suggest(&driver.value) {
            d.help(format!("did you mean `{s}`?"));
        }
    }
    let pos = |f: &dyn Fn(&LayerKind) -> bool| layers.iter().position(|l| f(&l.kind));
    let fscache = pos(&|k| matches!(k, LayerKind::FsCache(_)));
    let compress = pos(&|k| matches!(k, LayerKind::Compress(_)));
    let crypt = pos(&|k| matches!(k, LayerKind::Crypt(_)));
    let fts_cache = pos(&|k| matches!(k, LayerKind::FtsCache));
    let object_storage = matches!(chain.storage(), Backend::Http(_));
    for l in &layers {
        match &l.kind {
            LayerKind::FsCache(f) => {
                // An unreadable size was reported as OBX012 already.
                let size_ok = crate::fs_chain::parse_size(&f.size_raw.value).is_ok();
                if size_ok && (!f.size.has_unit || f.size.bytes < 64 << 20) {
                    let why = if f.size.has_unit {
                        "is below 64M"
                    } else {
                        "has no unit, so it is bytes"
                    };
                    sink.report(
                        "OBX013",
                        site.at(f.size_raw.span),
                        format!("{key}: fscache size '{}' {why}", f.size_raw.value),
                    );
                }
                if !f.path.value.starts_with('/') {
                    sink.report(
                        "OBX014",
                        site.at(f.path.span.join(l.driver.span)),
                        format!("{key}: fscache path '{}' is not absolute", f.path.value),
                    );
                }
                if f.size.bytes > 10 << 30 && !f.path.value.contains('%') {
                    sink.report(
                        "OBX018",
                        site.at(f.size_raw.span),
                        format!(
                            "{key}: fscache of {} is not split by a %-variable in its path",
                            f.size_raw.value
                        ),
                    );
                }
                if key == "obox_index_fs" {
                    sink.report(
                        "OBX016",
                        site.at(l.driver.span),
                        "obox_index_fs has an fscache layer",
                    );
                }
            }
            LayerKind::Compress(c) => {
                if c.level.value == 0 && !c.maybe {
                    sink.report("OBX021", site.at(c.level.span), format!("{key}: compression level 0 writes plain data that cannot be read back without `maybe-`"));
                }
                if c.maybe {
                    sink.report(
                        "OBX026",
                        site.at(c.algo_span.span),
                        format!("{key}: `maybe-` accepts uncompressed objects on read"),
                    );
                }
                let v = ctx.settings.target;
                let (min, max) = c.algo.level_range();
                // Out of the algorithm's own range was reported already.
                if !v.at_least(2, 3, 15)
                    && (min..=max).contains(&c.level.value)
                    && !(0..=9).contains(&c.level.value)
                {
                    sink.report(
                        "OBX020",
                        site.at(c.level.span),
                        format!(
                            "{key}: level {} is outside 0..9, the range before 2.3.15",
                            c.level.value
                        ),
                    );
                }
                if c.algo == crate::fs_chain::CompressAlgo::Zstd && !v.at_least(2, 3, 12) {
                    sink.report(
                        "OBX087",
                        site.at(c.algo_span.span),
                        format!("{key}: zstd needs 2.3.12, the target is {v}"),
                    );
                }
            }
            LayerKind::RandomFail(_) => {
                sink.report(
                    "OBX038",
                    site.at(l.span),
                    format!("{key}: randomfail injects failures on purpose"),
                );
            }
            LayerKind::FtsCache if key != "fts_dovecot_fs" => {
                sink.report(
                    "OBX038",
                    site.at(l.driver.span),
                    format!("fts-cache in {key}: it is a write cache for FTS only"),
                );
            }
            _ => {}
        }
    }
    if let (Some(c), Some(f)) = (compress, fscache)
        && c < f
    {
        sink.report(
            "OBX022",
            site.at(layers[c].driver.span),
            format!("{key}: compress comes before fscache"),
        );
    }
    if let (Some(c), Some(k)) = (compress, crypt)
        && k < c
    {
        sink.report(
            "OBX023",
            site.at(layers[k].driver.span),
            format!("{key}: {} comes before compress", layers[k].driver.value),
        );
    }
    if key == "obox_fs" && object_storage && fscache.is_none() {
        sink.report(
            "OBX015",
            site.at(chain.span),
            "obox_fs has no fscache layer",
        );
    }
    if key == "fts_dovecot_fs" && object_storage {
        if fts_cache != Some(0) {
            sink.report(
                "OBX027",
                site.at(chain.span),
                if fts_cache.is_none() {
                    "fts_dovecot_fs has no fts-cache layer"
                } else {
                    "fts-cache is not the first layer of fts_dovecot_fs"
                },
            );
        }
        if fscache.is_none() {
            sink.report(
                "OBX028",
                site.at(chain.span),
                "fts_dovecot_fs has no fscache layer",
            );
        }
    }
    if let Some(h) = chain.http() {
        if matches!(h.kind, HttpDriver::Sproxyd | HttpDriver::Azure) && chain.dictmap().is_none() {
            sink.report(
                "OBX030",
                site.at(h.driver.span),
                format!("{key}: {} requires dictmap", h.driver.value),
            );
        }
        if h.kind == HttpDriver::Swift {
            sink.report(
                "OBX091",
                site.at(h.driver.span),
                format!("{key}: the swift driver is legacy"),
            );
        }
        if h.kind == HttpDriver::AwsS3 && !ctx.settings.target.at_least(2, 3, 10) {
            sink.report(
                "OBX087",
                site.at(h.driver.span),
                format!(
                    "{key}: aws-s3 needs 2.3.10, the target is {}",
                    ctx.settings.target
                ),
            );
        }
    }
    if let Some(dm) = chain.dictmap() {
        let dsp = |p: &crate::fs_chain::DictMapParam| site.at(p.span);
        if let Some(bs) = dm.param("bucket-size")
            && dm.param("bucket-cache").is_none()
        {
            sink.report(
                "OBX031",
                dsp(bs),
                format!("{key}: dictmap bucket-size without bucket-cache"),
            );
        }
        for p in &dm.params {
            if !p.known {
                let near = crate::fs_chain::DICTMAP_PARAMS
                    .iter()
                    .filter(|k| {
                        crate::fs_chain::edit_distance(&p.name.value.replace('_', "-"), k) <= 2
                    })
                    .min_by_key(|k| crate::fs_chain::edit_distance(&p.name.value, k));
                let d = sink.report(
                    "OBX032",
                    dsp(p),
                    format!("{key}: unknown dictmap parameter '{}'", p.name.value),
                );
                if let Some(n) = near {
                    d.help(format!("did you mean `{n}`?"));
                }
            }
            let n = p.name.value.as_str();
            if (n == "storage-objectid-prefix" && key != "obox_fs")
                || (n == "storage-passthrough-paths" && key == "obox_fs")
            {
                sink.report(
                    "OBX034",
                    dsp(p),
                    format!(
                        "{key}: {n} is meant for {}",
                        if key == "obox_fs" {
                            "index and FTS chains"
                        } else {
                            "obox_fs"
                        }
                    ),
                );
            }
            if n == "lockdir" && ctx.has_mail_plugin("lazy_expunge") {
                sink.report(
                    "OBX036",
                    dsp(p),
                    format!("{key}: lockdir is not needed with lazy_expunge"),
                );
            }
            let v3 = ctx.settings.target.at_least(3, 0, 0);
            if (n == "cleanup-uncertain" && v3) || (n == "no-cleanup-uncertain" && !v3) {
                sink.report(
                    "OBX037",
                    dsp(p),
                    format!(
                        "{key}: {n} does not fit target version {}",
                        ctx.settings.target
                    ),
                );
            }
            if n == "max-parallel-iter" && !ctx.settings.target.at_least(2, 3, 10) {
                sink.report(
                    "OBX087",
                    dsp(p),
                    format!("{key}: max-parallel-iter needs 2.3.10"),
                );
            }
        }
        if key == "obox_fs" {
            let missing: Vec<&str> = [
                "bucket-size",
                "nlinks-limit",
                "delete-timestamp",
                "bucket-deleted-days",
            ]
            .into_iter()
            .filter(|p| dm.param(p).is_none())
            .collect();
            if !missing.is_empty() {
                sink.report(
                    "OBX033",
                    site.at(chain.span),
                    format!(
                        "obox_fs dictmap lacks the recommended {}",
                        missing.join(", ")
                    ),
                );
            }
        }
    }
}
