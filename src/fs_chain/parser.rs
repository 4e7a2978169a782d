//! The recursive-descent reading of a chain, one driver at a time, the way
//! each Dovecot driver consumes its own arguments (spec §2.1, conf §5.3).
use super::addressing::{Addressing, Signing, parse_aws_host};
use super::chain::{AWS_S3_IMPLIED, Backend, DictStorage, FsChain, HttpDriver, HttpStorage};
use super::compress::{CompressAlgo, parse_level};
use super::dictmap::{DICTMAP_PARAMS, DictMap, DictMapParam};
use super::driver::{self, Origin};
use super::error::{FsChainError, FsChainErrorKind as K, RandomfailProblem as RF};
use super::layer::{Compress, Crypt, CryptFlavor, FsCache, KeyValue, Layer, LayerKind, RandomFail};
use super::posix::{Posix, PosixOpt};
use super::size::parse_size;
use super::url::parse_url;
use super::{ParseOptions, Spanned};
use crate::source::Span;

/// dictmap parents may nest dictmap again; more than this is nonsense and
/// bounds the recursion.
const MAX_DEPTH: usize = 16;

const CRYPT_KEYS: &[&str] = &[
    "algo",
    "set_prefix",
    "public_key_path",
    "private_key_path",
    "password",
];
const RANDOMFAIL_PROB_KEYS: &[&str] = &[
    "all", "wait", "metadata", "prefetch", "read", "write", "lock", "exists", "stat", "copy",
    "rename", "delete", "iter",
];
const RANDOMFAIL_RANGE_KEYS: &[&str] = &["read-range", "write-range", "iter-range"];
/// Dict drivers built into open-source lib-dict.
const OSS_DICT_MODULES: &[&str] = &[
    "proxy",
    "file",
    "fs",
    "redis",
    "memcached",
    "memcached_ascii",
    "fail",
];

pub(super) struct Parser<'a> {
    text: &'a str,
    opts: &'a ParseOptions,
    /// In recovery mode, problems after which the chain's shape is still
    /// clear (a level out of range, an unknown option) are noted here and
    /// reading goes on; otherwise the first one is the error, as in fs_init.
    notes: Option<std::cell::RefCell<Vec<FsChainError>>>,
}

type R<T> = Result<T, FsChainError>;

impl<'a> Parser<'a> {
    pub(super) fn new(text: &'a str, opts: &'a ParseOptions) -> Self {
        Parser {
            text,
            opts,
            notes: None,
        }
    }

    /// A parser that notes recoverable problems instead of stopping.
    pub(super) fn recovering(text: &'a str, opts: &'a ParseOptions) -> Self {
        Parser {
            text,
            opts,
            notes: Some(Default::default()),
        }
    }

    /// The problems noted while reading (recovery mode only).
    pub(super) fn into_notes(self) -> Vec<FsChainError> {
        self.notes.map(|n| n.into_inner()).unwrap_or_default()
    }

    /// A recoverable problem: noted (and reading goes on) in recovery
    /// mode, else the error that ends the parse.
    fn soft(&self, e: FsChainError) -> R<()> {
        match &self.notes {
            Some(n) => {
                n.borrow_mut().push(e);
                Ok(())
            }
            None => Err(e),
        }
    }

    fn err(&self, kind: K, span: Span, stack: &[String]) -> FsChainError {
        FsChainError {
            kind,
            span,
            drivers: stack.to_vec(),
        }
    }

    /// Index of the next `:` in `start..end`.
    fn colon(&self, start: usize, end: usize) -> Option<usize> {
        self.text[start..end].find(':').map(|i| i + start)
    }

    fn spanned(&self, a: usize, b: usize) -> Spanned<String> {
        Spanned::new(self.text[a..b].to_string(), Span::new(a, b))
    }

    /// Read the chain in `start..end`. `top` marks a string given to
    /// fs_init_from_string (split at space or colon); parents handed on by
    /// wrappers split at colons only.
    pub(super) fn chain(
        &self,
        start: usize,
        end: usize,
        top: bool,
        stack: &mut Vec<String>,
        depth: usize,
    ) -> R<FsChain> {
        if depth > MAX_DEPTH {
            return Err(self.err(K::TooDeep, Span::new(start, end), stack));
        }
        let base_len = stack.len();
        let mut layers = Vec::new();
        let mut pos = start;
        let mut top = top;
        let backend = loop {
            let s = &self.text[pos..end];
            let sep = if top { s.find([' ', ':']) } else { s.find(':') };
            let (name_end, args) = match sep {
                Some(i) => (pos + i, pos + i + 1),
                None => (end, end),
            };
            top = false;
            let name = &self.text[pos..name_end];
            let name_sp = self.spanned(pos, name_end);
            let known =
                driver::lookup(name).filter(|d| !(self.opts.oss_only && d.origin == Origin::Pro));
            if known.is_none() {
                if self.opts.lenient {
                    let url = parse_url(&self.text[args..end], args, "s3", self.opts.form).ok();
                    break Backend::Unknown {
                        driver: name_sp,
                        url,
                        args_span: Span::new(args, end),
                    };
                }
                return Err(self.err(
                    K::UnknownDriver(name.to_string()),
                    Span::new(pos, name_end),
                    stack,
                ));
            }
            stack.push(name.to_string());
            if let Some((kind, own_end, parent)) = self.wrapper(name, args, end, stack)? {
                layers.push(Layer {
                    driver: name_sp,
                    span: Span::new(pos, own_end),
                    kind,
                });
                pos = parent;
                continue;
            }
            break self.leaf(name_sp, args, end, stack, depth)?;
        };
        stack.truncate(base_len);
        Ok(FsChain {
            layers,
            backend,
            span: Span::new(start, end),
        })
    }

    /// If `name` is a wrapper: its layer, where its own arguments end, and
    /// where the parent starts.
    fn wrapper(
        &self,
        name: &str,
        args: usize,
        end: usize,
        stack: &[String],
    ) -> R<Option<(LayerKind, usize, usize)>> {
        let parent_missing = |at: usize| self.err(K::ParentMissing, Span::new(at, end), stack);
        let need_parent = |p: usize| {
            if p >= end {
                Err(parent_missing(end))
            } else {
                Ok(())
            }
        };
        let own_end = |p: usize| p.saturating_sub(1).max(args);
        let out = match name {
            "fts-cache" | "metawrap" | "sis" => {
                need_parent(args)?;
                let kind = match name {
                    "fts-cache" => LayerKind::FtsCache,
                    "metawrap" => LayerKind::Metawrap,
                    _ => LayerKind::Sis,
                };
                (kind, args, args)
            }
            "compress" => {
                let Some(c1) = self.colon(args, end) else {
                    return Err(self.err(K::CompressMethodMissing, Span::new(args, end), stack));
                };
                let Some(c2) = self.colon(c1 + 1, end) else {
                    return Err(parent_missing(end));
                };
                need_parent(c2 + 1)?;
                let raw_algo = &self.text[args..c1];
                let (maybe, algo_name) = match raw_algo.strip_prefix("maybe-") {
                    Some(a) => (true, a),
                    None => (false, raw_algo),
                };
                let algo_sp = Span::new(args, c1);
                let algo = match CompressAlgo::from_name(algo_name) {
                    Some(a) => a,
                    None if algo_name == "xz" => {
                        return Err(self.err(
                            K::CompressMethodUnsupported(algo_name.into()),
                            algo_sp,
                            stack,
                        ));
                    }
                    None => {
                        return Err(self.err(
                            K::CompressMethodUnknown(algo_name.into()),
                            algo_sp,
                            stack,
                        ));
                    }
                };
                let raw_level = &self.text[c1 + 1..c2];
                let (min, max) = algo.level_range();
                let level_err = || {
                    self.err(
                        K::CompressLevel {
                            raw: raw_level.into(),
                            min,
                            max,
                        },
                        Span::new(c1 + 1, c2),
                        stack,
                    )
                };
                // A number out of range leaves the layer's shape intact (a
                // recoverable note); a non-number may mean shifted fields.
                let level = parse_level(raw_level).ok_or_else(level_err)?;
                if !(i64::from(min)..=i64::from(max)).contains(&level) {
                    self.soft(level_err())?;
                }
                let level = level.clamp(i64::from(i32::MIN), i64::from(i32::MAX));
                let kind = LayerKind::Compress(Compress {
                    maybe,
                    algo,
                    algo_span: self.spanned(args, c1),
                    level: Spanned::new(level as i32, Span::new(c1 + 1, c2)),
                });
                (kind, c2, c2 + 1)
            }
            "crypt" | "mail-crypt" => {
                let mut p = args;
                let mut params = Vec::new();
                loop {
                    let Some(c) = self.colon(p, end) else {
                        return Err(self.err(K::CryptMissingParameters, Span::new(p, end), stack));
                    };
                    let item = &self.text[p..c];
                    let Some(eq) = item.find('=') else { break };
                    let key = &item[..eq];
                    if CRYPT_KEYS.contains(&key) {
                        params.push(KeyValue {
                            key: self.spanned(p, p + eq),
                            value: self.spanned(p + eq + 1, c),
                        });
                    } else {
                        self.soft(self.err(
                            K::CryptInvalidParameter(key.into()),
                            Span::new(p, p + eq),
                            stack,
                        ))?;
                    }
                    p = c + 1;
                }
                let flavor = if name == "crypt" {
                    CryptFlavor::Crypt
                } else {
                    CryptFlavor::MailCrypt
                };
                (LayerKind::Crypt(Crypt { flavor, params }), own_end(p), p)
            }
            "sis-queue" => {
                let Some(c) = self.colon(args, end) else {
                    return Err(parent_missing(end));
                };
                need_parent(c + 1)?;
                let queue_dir = self.spanned(args, c);
                (LayerKind::SisQueue { queue_dir }, c, c + 1)
            }
            "randomfail" => {
                let Some(c) = self.colon(args, end) else {
                    return Err(self.err(K::RandomfailParamsMissing, Span::new(args, end), stack));
                };
                let params = self.randomfail_params(args, c, stack)?;
                need_parent(c + 1)?;
                (LayerKind::RandomFail(RandomFail { params }), c, c + 1)
            }
            "fscache" => {
                let Some(c1) = self.colon(args, end) else {
                    return Err(self.err(K::FsCacheArgsMissing, Span::new(args, end), stack));
                };
                let raw = &self.text[args..c1];
                // An unreadable size is noted; the layer keeps a zero size
                // (rules re-read `size_raw` before judging it).
                let size = match parse_size(raw) {
                    Ok(s) => s,
                    Err(e) => {
                        self.soft(self.err(
                            K::FsCacheSize {
                                raw: raw.into(),
                                reason: e.to_string(),
                            },
                            Span::new(args, c1),
                            stack,
                        ))?;
                        super::Size {
                            bytes: 0,
                            has_unit: false,
                        }
                    }
                };
                let Some(c2) = self.colon(c1 + 1, end) else {
                    return Err(parent_missing(end));
                };
                need_parent(c2 + 1)?;
                let kind = LayerKind::FsCache(FsCache {
                    size_raw: self.spanned(args, c1),
                    size,
                    path: self.spanned(c1 + 1, c2),
                });
                (kind, c2, c2 + 1)
            }
            _ => return Ok(None),
        };
        Ok(Some(out))
    }

    fn randomfail_params(&self, start: usize, end: usize, stack: &[String]) -> R<Vec<KeyValue>> {
        let mut out = Vec::new();
        let mut p = start;
        for item in self.text[start..end].split(',') {
            let (a, b) = (p, p + item.len());
            p = b + 1;
            if item.is_empty() {
                continue;
            }
            let bad = |why: RF| self.err(K::RandomfailInvalid(why), Span::new(a, b), stack);
            let Some(eq) = item.find('=') else {
                self.soft(bad(RF::MissingEquals))?;
                continue;
            };
            let (key, val) = (&item[..eq], &item[eq + 1..]);
            let uint = |s: &str| -> Option<u64> {
                (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse().ok())
                    .flatten()
            };
            let problem = if RANDOMFAIL_RANGE_KEYS.contains(&key) {
                match val.split_once('-') {
                    Some((lo, hi)) => match (uint(lo), uint(hi)) {
                        (Some(lo), Some(hi)) if lo <= hi => None,
                        _ => Some(RF::RangeValues),
                    },
                    None if uint(val).is_some() => None,
                    None => Some(RF::RangeValue),
                }
            } else if RANDOMFAIL_PROB_KEYS.contains(&key) {
                uint(val).is_none_or(|n| n > 100).then_some(RF::Probability)
            } else {
                Some(RF::UnknownKey(key.into()))
            };
            if let Some(why) = problem {
                self.soft(bad(why))?;
                continue;
            }
            out.push(KeyValue {
                key: self.spanned(a, a + eq),
                value: self.spanned(a + eq + 1, b),
            });
        }
        Ok(out)
    }

    fn leaf(
        &self,
        driver: Spanned<String>,
        args: usize,
        end: usize,
        stack: &mut Vec<String>,
        depth: usize,
    ) -> R<Backend> {
        let name = driver.value.clone();
        match name.as_str() {
            "posix" => Ok(Backend::Posix {
                driver,
                posix: self.posix(args, end, stack)?,
            }),
            "dict" => {
                let Some(c) = self.colon(args, end) else {
                    return Err(self.err(K::DictColonMissing, Span::new(args, end), stack));
                };
                let enc = &self.text[args..c];
                if !matches!(enc, "raw" | "hex" | "base64") {
                    self.soft(self.err(
                        K::DictUnknownEncoding(enc.into()),
                        Span::new(args, c),
                        stack,
                    ))?;
                }
                let uri = &self.text[c + 1..end];
                let uri_sp = Span::new(c + 1, end);
                let Some(m) = uri.find(':') else {
                    let args = self.text[args..end].into();
                    return Err(self.err(
                        K::DictUriNoColon {
                            args,
                            uri: uri.into(),
                        },
                        uri_sp,
                        stack,
                    ));
                };
                let module = &uri[..m];
                if self.opts.oss_only && !OSS_DICT_MODULES.contains(&module) {
                    self.soft(self.err(
                        K::DictUnknownModule {
                            args: self.text[args..end].into(),
                            module: module.into(),
                        },
                        uri_sp,
                        stack,
                    ))?;
                }
                Ok(Backend::Dict(DictStorage {
                    driver,
                    encoding: self.spanned(args, c),
                    dict_uri: self.spanned(c + 1, end),
                }))
            }
            "test" => Ok(Backend::Test { driver }),
            "dictmap" => self.dictmap(driver, args, end, stack, depth),
            _ => {
                let kind = HttpDriver::from_name(&name)
                    .ok_or_else(|| self.err(K::UnknownDriver(name.clone()), driver.span, stack))?;
                let url = parse_url(&self.text[args..end], args, &name, self.opts.form)
                    .map_err(|(why, span)| self.err(K::InvalidUrl(why), span, stack))?;
                Ok(Backend::Http(http_storage(driver, kind, url)))
            }
        }
    }

    fn posix(&self, args: usize, end: usize, stack: &[String]) -> R<Posix> {
        let mut options = Vec::new();
        let mut p = args;
        for item in self.text[args..end].split(':') {
            let sp = Span::new(p, p + item.len());
            p += item.len() + 1;
            if item.is_empty() {
                continue;
            }
            let opt = match item {
                "lock=flock" => PosixOpt::Lock { dotlock: false },
                "lock=dotlock" => PosixOpt::Lock { dotlock: true },
                "mode=auto" => PosixOpt::ModeAuto,
                "dirs" => PosixOpt::Dirs,
                "no-fsync" => PosixOpt::NoFsync,
                "accurate-mtime" => PosixOpt::AccurateMtime,
                _ if item.starts_with("prefix=") => PosixOpt::Prefix {
                    path: item["prefix=".len()..].into(),
                },
                _ if item.starts_with("mode=") => {
                    let v = &item["mode=".len()..];
                    let mode = (!v.is_empty() && v.bytes().all(|b| (b'0'..=b'7').contains(&b)))
                        .then(|| u32::from_str_radix(v, 8).ok())
                        .flatten();
                    let problem = match mode {
                        None => Some(K::PosixInvalidModeValue(v.into())),
                        Some(m) if m & 0o666 == 0 => Some(K::PosixInvalidMode(v.into())),
                        Some(_) => None,
                    };
                    match (mode, problem) {
                        (Some(m), None) => PosixOpt::Mode { mode: m & 0o666 },
                        (_, p) => {
                            if let Some(k) = p {
                                self.soft(self.err(k, sp, stack))?;
                            }
                            continue;
                        }
                    }
                }
                _ => {
                    self.soft(self.err(K::PosixUnknownArg(item.into()), sp, stack))?;
                    continue;
                }
            };
            options.push(Spanned::new(opt, sp));
        }
        Ok(Posix { options })
    }

    fn dictmap(
        &self,
        driver: Spanned<String>,
        args: usize,
        end: usize,
        stack: &mut Vec<String>,
        depth: usize,
    ) -> R<Backend> {
        const SEP: &str = " ; ";
        let body = &self.text[args..end];
        let Some(s1) = body.find(SEP).map(|i| i + args) else {
            return Err(self.err(
                K::DictMapSeparator {
                    semicolon_without_spaces: body.contains(';'),
                },
                Span::new(args, end),
                stack,
            ));
        };
        let parent_start = s1 + SEP.len();
        let (parent_end, params_start) = match self.text[parent_start..end].find(SEP) {
            Some(i) => (parent_start + i, Some(parent_start + i + SEP.len())),
            None => (end, None),
        };
        if self.text[parent_start..parent_end].trim().is_empty() {
            return Err(self.err(K::DictMapParentMissing, Span::new(s1, parent_end), stack));
        }
        let parent = self.chain(parent_start, parent_end, false, stack, depth + 1)?;
        let mut params = Vec::new();
        if let Some(ps) = params_start {
            let mut p = ps;
            for item in self.text[ps..end].split(':') {
                let (a, b) = (p, p + item.len());
                p = b + 1;
                if item.trim().is_empty() {
                    continue;
                }
                let (name, value) = match item.find('=') {
                    Some(eq) => (self.spanned(a, a + eq), Some(self.spanned(a + eq + 1, b))),
                    None => (self.spanned(a, b), None),
                };
                let known = DICTMAP_PARAMS.contains(&name.value.as_str());
                params.push(DictMapParam {
                    name,
                    value,
                    span: Span::new(a, b),
                    known,
                });
            }
        }
        Ok(Backend::DictMap {
            driver,
            dictmap: DictMap {
                dict_uri: self.spanned(args, s1),
                parent: Box::new(parent),
                params,
            },
        })
    }
}

fn http_storage(
    driver: Spanned<String>,
    kind: HttpDriver,
    url: super::url::HttpUrl,
) -> HttpStorage {
    let aws_host = parse_aws_host(&url.host.value);
    let addressing =
        matches!(kind, HttpDriver::S3 | HttpDriver::AwsS3 | HttpDriver::Azure).then(|| {
            if let Some(b) = url.param("bucket").filter(|b| !b.is_empty()) {
                return Addressing::PathStyle { bucket: b.into() };
            }
            if let Some(h) = &aws_host {
                return match &h.bucket {
                    Some(b) => Addressing::VirtualHosted { bucket: b.clone() },
                    None => Addressing::NoBucket,
                };
            }
            let host = &url.host.value;
            let is_ip = host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok();
            match host.split_once('.') {
                Some((first, _)) if !is_ip && !first.is_empty() => Addressing::VirtualHosted {
                    bucket: first.into(),
                },
                _ => Addressing::NoBucket,
            }
        });
    let signing = kind.is_s3().then(|| match url.param("region") {
        Some(r) if !r.is_empty() => Signing::V4 { region: r.into() },
        _ => Signing::V2,
    });
    let implied_params = if kind == HttpDriver::AwsS3 {
        AWS_S3_IMPLIED
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    } else {
        Vec::new()
    };
    HttpStorage {
        driver,
        kind,
        url,
        addressing,
        signing,
        aws_host,
        implied_params,
    }
}
