use crate::source::Span;
use std::fmt;

/// Why a chain string was refused. `Display` reproduces Dovecot's fs_init
/// message for the open-source drivers: every wrapper that was initialising
/// when the failure happened puts `name: ` in front (outermost first), so
/// `compress:zstd:3:aws-s3:…` in open-source mode reads
/// `compress: Unknown fs driver: aws-s3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsChainError {
    pub kind: FsChainErrorKind,
    /// Byte range of `parse`'s input that the error is about.
    pub span: Span,
    /// Driver names that prefix the message, outermost first.
    pub drivers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsChainErrorKind {
    UnknownDriver(String),
    ParentMissing,
    TooDeep,
    CompressMethodMissing,
    CompressMethodUnknown(String),
    CompressMethodUnsupported(String),
    CompressLevel {
        raw: String,
        min: i32,
        max: i32,
    },
    CryptMissingParameters,
    CryptInvalidParameter(String),
    RandomfailParamsMissing,
    RandomfailInvalid(RandomfailProblem),
    PosixUnknownArg(String),
    PosixInvalidMode(String),
    PosixInvalidModeValue(String),
    DictColonMissing,
    DictUnknownEncoding(String),
    /// `args` is the driver's whole argument string, which Dovecot quotes
    /// in the message; `uri` the dict URI after the encoding.
    DictUriNoColon {
        args: String,
        uri: String,
    },
    DictUnknownModule {
        args: String,
        module: String,
    },
    /// fscache without `SIZE:PATH:` (Pro; our wording).
    FsCacheArgsMissing,
    FsCacheSize {
        raw: String,
        reason: String,
    },
    /// dictmap without the ` ; ` separator (Pro; our wording).
    DictMapSeparator {
        semicolon_without_spaces: bool,
    },
    DictMapParentMissing,
    /// The storage URL of an HTTP driver (Pro; our wording). The reason
    /// never quotes the userinfo, so it is safe to print.
    InvalidUrl(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RandomfailProblem {
    UnknownKey(String),
    MissingEquals,
    Probability,
    RangeValue,
    RangeValues,
}

impl FsChainError {
    /// The message without the driver prefix.
    pub fn bare_message(&self) -> String {
        use FsChainErrorKind as K;
        match &self.kind {
            K::UnknownDriver(n) => format!("Unknown fs driver: {n}"),
            K::ParentMissing => "Parent filesystem not given as parameter".into(),
            K::TooDeep => "fs chain nested too deeply".into(),
            K::CompressMethodMissing => "Compression method not given as parameter".into(),
            K::CompressMethodUnknown(m) => format!("Compression method '{m}' unknown."),
            K::CompressMethodUnsupported(m) => format!("Compression method '{m}' not supported."),
            K::CompressLevel { raw, min, max } => format!(
                "Invalid compression level parameter '{raw}': Level must be between {min}..{max}"
            ),
            K::CryptMissingParameters => "Missing parameters".into(),
            K::CryptInvalidParameter(p) => format!("Invalid parameter '{p}'"),
            K::RandomfailParamsMissing => "Randomfail parameters missing".into(),
            K::RandomfailInvalid(p) => {
                let why = match p {
                    RandomfailProblem::UnknownKey(k) => {
                        return format!("Invalid randomfail parameters: Unknown key '{k}'");
                    }
                    RandomfailProblem::MissingEquals => "Missing '='",
                    RandomfailProblem::Probability => "Invalid probability value",
                    RandomfailProblem::RangeValue => "Invalid range value",
                    RandomfailProblem::RangeValues => "Invalid range values",
                };
                format!("Invalid randomfail parameters: {why}")
            }
            K::PosixUnknownArg(a) => format!("Unknown arg '{a}'"),
            K::PosixInvalidMode(m) => format!("Invalid mode: {m}"),
            K::PosixInvalidModeValue(m) => format!("Invalid mode value: {m}"),
            K::DictColonMissing => "':' missing in args".into(),
            K::DictUnknownEncoding(e) => format!("Unknown value encoding '{e}'"),
            K::DictUriNoColon { args, uri } => {
                format!("dict_init({args}) failed: Dictionary URI is missing ':': {uri}")
            }
            K::DictUnknownModule { args, module } => {
                format!("dict_init({args}) failed: Unknown dict module: {module}")
            }
            K::FsCacheArgsMissing => "Cache size and path not given as parameters".into(),
            K::FsCacheSize { raw, reason } => format!("Invalid cache size '{raw}': {reason}"),
            K::DictMapSeparator {
                semicolon_without_spaces: true,
            } => "Parts must be separated by ' ; ' (with spaces), found ';'".into(),
            K::DictMapSeparator { .. } => {
                "Missing ' ; ' between the dict URI and the parent fs".into()
            }
            K::DictMapParentMissing => "Parent filesystem not given after ' ; '".into(),
            K::InvalidUrl(why) => format!("Invalid URL: {why}"),
        }
    }
}

impl fmt::Display for FsChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.drivers {
            write!(f, "{d}: ")?;
        }
        f.write_str(&self.bare_message())
    }
}

impl std::error::Error for FsChainError {}
