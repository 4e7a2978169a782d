//! The S3 side of obox: what an `s3:`/`aws-s3:` URL means, and a small
//! blocking client that behaves like Dovecot's HTTP storage driver
//! (retries, timeouts, signing, request log).
//!
//! * [`endpoint`]: storage URL → [`Endpoint`] (addressing, prefix, signing)
//! * [`params`]: the URL parameters and their defaults
//! * [`credentials`] and [`imds`]: where keys come from
//! * [`sign`]: SigV4 (aws-sigv4) and SigV2 (by hand)
//! * [`encode`]: percent-encoding exactly as the signers canonicalise
//! * [`http`]: the transport (ureq + rustls live only there)
//! * [`retry`]: Dovecot's backoff
//! * [`log`]: the `-v` request line
//! * [`xml`]: S3 response bodies
//! * [`client`] and [`multipart`]: the operations
pub mod client;
pub mod credentials;
pub mod encode;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod imds;
pub mod log;
pub mod multipart;
pub mod params;
pub mod retry;
pub mod sign;
pub mod tls;
pub mod xml;

pub use client::{
    Client, ClientOptions, ListEntry, ListPage, ObjectInfo, PutSource, TransferObserver,
};
pub use credentials::{CredentialProvider, Credentials};
pub use endpoint::{Addressing, ConnectTo, Endpoint, Scheme, Signing};
pub use error::{EndpointError, EndpointErrorKind, S3Error, S3ErrorKind};
pub use params::Params;
