//! Dovecot 2.3 %-variable expansion, byte for byte (spec
//! `dovecot-conf.md` §2–3 and §7).
//!
//! Parse once, expand many times:
//!
//! ```
//! use obox_cli::var_expand::{Template, UserContext, expand};
//! let t = Template::parse(b"%8Mu/%u");
//! let ctx = UserContext::new("alice@example.com");
//! assert_eq!(expand(&t, &ctx).unwrap(), b"c160f8cc/alice@example.com");
//! ```
//!
//! - [`Template::parse`] never fails: a template is a list of [`Piece`]s
//!   with byte spans, so a lint can point at the `%2F` inside a URL.
//! - [`expand`] / [`expand_into`] return Dovecot's exact message when
//!   Dovecot would fail (`Unknown variable '%F'`, `(null)`, ...), following
//!   its rules for which of several messages wins.
//! - Work is on bytes: usernames and outputs need not be UTF-8, and
//!   truncation may split a character, as in Dovecot.
//!
//! obox-cli adds three limits Dovecot does not have, each reported as an
//! error instead of exhausting time or memory: nesting deeper than
//! [`MAX_NESTING`], hash rounds above [`MAX_ROUNDS`] (pkcs5:
//! [`MAX_PKCS5_ROUNDS`]) and zero padding above [`MAX_PADDING`] bytes.
mod conditional;
mod context;
mod error;
mod expander;
mod hash;
mod modifier;
mod parser;
mod posix_regex;
mod template;
mod var;
mod wildcard;

pub use conditional::{IfCall, IfPart, IfShapeError};
pub use context::{UserContext, system_hostname};
pub use error::{ExpandError, ExpandErrorKind};
pub use expander::{expand, expand_into, expand_str};
pub use hash::{HashAlgo, HashArgError, HashCall, HashFormat, MAX_PKCS5_ROUNDS, MAX_ROUNDS};
pub use modifier::{MAX_MODIFIERS, MAX_PADDING, Modifier};
pub use parser::MAX_NESTING;
pub use template::{Directive, Key, LongKey, Piece, ShortKey, Template};
pub use var::Var;
pub use wildcard::wildcard_match;
