//! fs chains: the values of `obox_fs`, `obox_index_fs`, `fts_dovecot_fs`
//! (and `mail_attachment_fs`), read the way Dovecot's drivers read them.
//!
//! There is no global tokenizer. The first driver name ends at the first
//! space or `:`; every wrapper then takes its own positional fields (each
//! ending at the next `:`) and hands the rest, untouched, to its parent,
//! whose name ends at the next `:` (a space no longer separates there).
//! Storage drivers take everything that is left, so a URL keeps its
//! colons. `dictmap` separates its parts with ` ; ` instead.
//!
//! ```text
//! chain      = [ "fts-cache:" ] [ "fscache:" SIZE ":" PATH ":" ] { wrapper } ( storage | dictmap )
//! wrapper    = "compress:" [ "maybe-" ] ALGO ":" LEVEL ":"
//!            | ( "crypt:" | "mail-crypt:" ) { KEY "=" VALUE ":" }
//!            | "metawrap:" | "sis:" | "sis-queue:" DIR ":"
//!            | "randomfail:" [ K "=" V { "," K "=" V } ] ":"
//! dictmap    = "dictmap:" DICT_URI " ; " chain [ " ; " PARAM { ":" PARAM } ]
//! storage    = "posix" [ ":" { OPTION ":" } ] | "dict:" ENC ":" DICT_URI | "test"
//!            | HTTP_DRIVER ":" URL
//! HTTP_DRIVER= "s3" | "aws-s3" | "sproxyd" | "scality" | "azure" | "swift"
//! URL        = ( "http" | "https" ) "://" [ USER [ ":" PASSWORD ] "@" ] HOST [ ":" PORT ]
//!              [ PATH ] [ "?" PARAM { "&" PARAM } ]
//! ```
//!
//! Errors reproduce Dovecot 2.3.19's fs_init messages for the open-source
//! drivers (`compress: Invalid compression level parameter '23': …`);
//! messages about Pro-only drivers (fscache, dictmap, the HTTP drivers) are
//! our own wording, because their code is closed. With
//! [`ParseOptions::oss_only`] Pro drivers are unknown, exactly like a
//! dovecot-core without the Pro plugins (`Unknown fs driver: fscache`).
//!
//! All spans are byte ranges of the string given to [`parse`]; a caller
//! holding a `conf::Value` maps them to the file with `Value::origin_of`.
mod addressing;
mod chain;
mod compress;
mod dictmap;
mod driver;
mod error;
mod layer;
mod params;
mod parser;
mod posix;
mod size;
mod spanned;
mod time;
mod url;

pub use addressing::{Addressing, AwsHost, Signing, is_plausible_region, parse_aws_host};
pub use chain::{AWS_S3_IMPLIED, Backend, DictStorage, FsChain, HttpDriver, HttpStorage};
pub use compress::{CompressAlgo, parse_level};
pub use dictmap::{DICTMAP_PARAMS, DictMap, DictMapParam};
pub use driver::{
    DRIVERS, DriverInfo, Origin as DriverOrigin, Role, edit_distance, lookup, suggest,
};
pub use error::{FsChainError, FsChainErrorKind, RandomfailProblem};
pub use layer::{Compress, Crypt, CryptFlavor, FsCache, KeyValue, Layer, LayerKind, RandomFail};
pub use params::{PARAMS, ParamScope, ParamSpec, ParamType, Typed, names_for};
pub use posix::{Posix, PosixOpt};
pub use size::{Size, SizeError, SizeErrorKind, parse_size};
pub use spanned::Spanned;
pub use time::{TimeError, parse_time_msecs};
pub use url::{HIDDEN, HttpUrl, Secret, UrlParam, Userinfo, parse_url};

use crate::source::Span;

/// Which text the chain is: as written in dovecot.conf (`%%` still means
/// `%`, single `%` starts a per-user variable), or after %-expansion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextForm {
    #[default]
    Config,
    Expanded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParseOptions {
    /// Behave like open-source dovecot-core: Pro drivers are unknown and
    /// dict modules are checked against the built-in list.
    pub oss_only: bool,
    /// Accept unknown driver names as [`Backend::Unknown`] leaves instead
    /// of failing (the linter reports them itself, with suggestions).
    pub lenient: bool,
    pub form: TextForm,
}

/// Parse a chain as written in dovecot.conf, with the Pro drivers known.
pub fn parse(value: &str) -> Result<FsChain, FsChainError> {
    parse_with(value, &ParseOptions::default())
}

/// Parse a chain that has already been %-expanded for a user.
pub fn parse_expanded(value: &str) -> Result<FsChain, FsChainError> {
    parse_with(
        value,
        &ParseOptions {
            form: TextForm::Expanded,
            ..ParseOptions::default()
        },
    )
}

pub fn parse_with(value: &str, opts: &ParseOptions) -> Result<FsChain, FsChainError> {
    parser::Parser::new(value, opts).chain(0, value.len(), true, &mut Vec::new(), 0)
}

/// A chain read in recovery mode: the AST when its shape could be read,
/// and every problem found. `chain` is `Err` only for a fatal problem (a
/// missing parent, an unknown driver, a bad URL), which is then not
/// repeated in `notes`.
#[derive(Debug, Clone)]
pub struct Recovered {
    pub chain: Result<FsChain, FsChainError>,
    /// Problems noted before or besides the fatal one, in reading order.
    /// fs_init would stop at the first of them; the linter reports all.
    pub notes: Vec<FsChainError>,
}

impl Recovered {
    /// Whether Dovecot would accept the chain: no fatal problem and no note.
    pub fn accepted(&self) -> bool {
        self.chain.is_ok() && self.notes.is_empty()
    }
}

/// Parse like [`parse_with`], but go on past problems that leave the
/// chain's shape clear (a compress level out of range, an unknown posix,
/// crypt or randomfail option, an unreadable fscache size, an unknown dict
/// encoding), so that a linter can check the rest. Which strings are
/// accepted does not change: `parse_with` fails exactly when
/// [`Recovered::accepted`] is false, with the first problem.
pub fn parse_recovering(value: &str, opts: &ParseOptions) -> Recovered {
    let p = parser::Parser::recovering(value, opts);
    let chain = p.chain(0, value.len(), true, &mut Vec::new(), 0);
    Recovered {
        chain,
        notes: p.into_notes(),
    }
}

pub(crate) fn ser_span<S: serde::Serializer>(sp: &Span, s: S) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    [sp.start, sp.end].serialize(s)
}

pub(crate) fn ser_opt_span<S: serde::Serializer>(
    sp: &Option<Span>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    sp.map(|sp| [sp.start, sp.end]).serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BRIEF: &str = "fscache:512M:/var/cache/mails/%4Nu:compress:zstd:3:aws-s3:https://ACCESSKEY:SECRET@dovecot-mails.s3.eu-central-1.amazonaws.com/?region=eu-central-1&auth_role=s3access";

    #[test]
    fn brief_chain() {
        let c = parse(BRIEF).unwrap();
        assert_eq!(c.layers.len(), 2);
        let LayerKind::FsCache(fc) = &c.layers[0].kind else {
            panic!()
        };
        assert_eq!(fc.size.bytes, 512 << 20);
        assert_eq!(fc.path.value, "/var/cache/mails/%4Nu");
        assert_eq!(
            &BRIEF[fc.path.span.start..fc.path.span.end],
            "/var/cache/mails/%4Nu"
        );
        let LayerKind::Compress(cz) = &c.layers[1].kind else {
            panic!()
        };
        assert_eq!(
            (cz.algo, cz.level.value, cz.maybe),
            (CompressAlgo::Zstd, 3, false)
        );
        let h = c.http().unwrap();
        assert_eq!(h.kind, HttpDriver::AwsS3);
        assert_eq!(
            h.addressing,
            Some(Addressing::VirtualHosted {
                bucket: "dovecot-mails".into()
            })
        );
        assert_eq!(
            h.signing,
            Some(Signing::V4 {
                region: "eu-central-1".into()
            })
        );
        assert_eq!(h.implied_params.len(), 3);
        assert_eq!(c.driver_names(), ["fscache", "compress", "aws-s3"]);
    }

    #[test]
    fn oss_mode_matches_dovecot_messages() {
        let oss = ParseOptions {
            oss_only: true,
            ..Default::default()
        };
        let e = parse_with("compress:zstd:3:aws-s3:https://a:b@h/", &oss).unwrap_err();
        assert_eq!(e.to_string(), "compress: Unknown fs driver: aws-s3");
        let e = parse_with("metawrap:compress:zstd:99:posix", &oss).unwrap_err();
        assert_eq!(
            e.to_string(),
            "metawrap: compress: Invalid compression level parameter '99': Level must be between 1..22"
        );
        assert_eq!(parse(BRIEF).map(|_| ()), Ok(()));
        assert_eq!(
            parse_with(BRIEF, &oss).unwrap_err().to_string(),
            "Unknown fs driver: fscache"
        );
    }

    #[test]
    fn dictmap_chain() {
        let s = "dictmap:proxy:dict-async:cassandra ; compress:zstd:3:sproxyd:http://sp.example.com:81/?class=2 ; refcounting-table:bucket-size=10000:bucket-cache=%h/buckets.cache";
        let c = parse(s).unwrap();
        let dm = c.dictmap().unwrap();
        assert_eq!(dm.dict_uri.value, "proxy:dict-async:cassandra");
        assert_eq!(dm.params.len(), 3);
        assert_eq!(
            dm.param("bucket-size")
                .unwrap()
                .value
                .as_ref()
                .unwrap()
                .value,
            "10000"
        );
        assert_eq!(c.all_layers().len(), 1);
        assert_eq!(c.http().unwrap().kind, HttpDriver::Sproxyd);
        let e = parse("dictmap:proxy:dict-async:cassandra;sproxyd:http://h/").unwrap_err();
        assert!(matches!(
            e.kind,
            FsChainErrorKind::DictMapSeparator {
                semicolon_without_spaces: true
            }
        ));
    }

    #[test]
    fn redaction_hides_credentials() {
        let mut c = parse(BRIEF).unwrap();
        c.redact();
        let j = serde_json::to_string(&c).unwrap();
        assert!(!j.contains("SECRET") && !j.contains("ACCESSKEY"), "{j}");
    }

    #[test]
    fn lenient_keeps_unknown() {
        let opts = ParseOptions {
            lenient: true,
            ..Default::default()
        };
        let c = parse_with("https://K:S@b.s3.amazonaws.com/?region=x", &opts).unwrap();
        let Backend::Unknown { driver, url, .. } = &c.backend else {
            panic!()
        };
        assert_eq!(driver.value, "https");
        // "//K:S@…" is not a URL on its own; that is fine, the name is the finding.
        assert!(url.is_none());
    }
}
