//! TLS for the S3 transport: our own rustls connector plugged into ureq.
//!
//! ureq's built-in rustls connector trusts either the Mozilla roots or an
//! explicit certificate list, never both plus the system store, and cannot
//! report which trust source failed. So the transport chains ureq's TCP
//! connector into [`TlsConnector`], which owns the rustls `ClientConfig`:
//!
//! * default trust: the webpki (Mozilla) roots plus the system's
//!   certificates (rustls-native-certs: `SSL_CERT_FILE`/`SSL_CERT_DIR`, else
//!   the distribution's bundle);
//! * `ca_file`/`ca_dir` (`--ca-file`, dovecot.conf's `ssl_client_ca_file` /
//!   `ssl_client_ca_dir`): exactly those certificates, as Dovecot does;
//! * `verify = false` (`ssl_client_require_valid_cert = no`): any
//!   certificate is accepted, but handshake signatures are still checked,
//!   so the peer must at least own the key of the certificate it shows.
//!
//! The config is built on the first TLS connection, so plain-http runs
//! never pay for reading the system certificate store.
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, StreamOwned};
use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport,
    TransportAdapter,
};

/// Where trust comes from, and whether it is required.
#[derive(Debug, Clone)]
pub struct TlsSettings {
    /// PEM bundle to trust (replaces the default roots).
    pub ca_file: Option<PathBuf>,
    /// Directory of PEM certificates to trust (replaces the default roots;
    /// combined with `ca_file` when both are set).
    pub ca_dir: Option<PathBuf>,
    /// Verify the server's certificate chain and name (the default).
    pub verify: bool,
}

impl Default for TlsSettings {
    fn default() -> Self {
        TlsSettings {
            ca_file: None,
            ca_dir: None,
            verify: true,
        }
    }
}

/// A failure to set up trust (unreadable CA file, no certificates in it).
#[derive(Debug, Clone)]
pub struct TlsSetupError {
    pub path: Option<PathBuf>,
    pub why: String,
}

impl fmt::Display for TlsSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "TLS trust store: {}: {}", p.display(), self.why),
            None => write!(f, "TLS trust store: {}", self.why),
        }
    }
}

impl std::error::Error for TlsSetupError {}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// PEM certificates of one file; an error when it has none.
fn pem_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let err = |why: String| TlsSetupError {
        path: Some(path.to_path_buf()),
        why,
    };
    let data = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let mut certs = Vec::new();
    for item in rustls_pemfile::certs(&mut &data[..]) {
        certs.push(item.map_err(|e| err(format!("bad PEM: {e}")))?);
    }
    if certs.is_empty() {
        return Err(err("no PEM certificates (BEGIN CERTIFICATE) found".into()));
    }
    Ok(certs)
}

/// The trust anchors for `s`.
pub fn root_store(s: &TlsSettings) -> Result<RootCertStore, TlsSetupError> {
    let mut store = RootCertStore::empty();
    if s.ca_file.is_none() && s.ca_dir.is_none() {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        // A broken system store is not fatal: the webpki roots remain.
        let native = rustls_native_certs::load_native_certs();
        store.add_parsable_certificates(native.certs);
        return Ok(store);
    }
    let mut explicit = Vec::new();
    if let Some(f) = &s.ca_file {
        explicit.extend(pem_certs(f)?);
    }
    if let Some(d) = &s.ca_dir {
        let rd = std::fs::read_dir(d).map_err(|e| TlsSetupError {
            path: Some(d.clone()),
            why: e.to_string(),
        })?;
        // c_rehash directories hold symlinks and stray non-PEM files: take
        // what parses, fail only if nothing does.
        for entry in rd.flatten() {
            let p = entry.path();
            if p.is_file()
                && let Ok(c) = pem_certs(&p)
            {
                explicit.extend(c);
            }
        }
        if explicit.is_empty() {
            return Err(TlsSetupError {
                path: Some(d.clone()),
                why: "no PEM certificates found in the directory".into(),
            });
        }
    }
    let (added, _ignored) = store.add_parsable_certificates(explicit);
    if added == 0 {
        return Err(TlsSetupError {
            path: s.ca_file.clone().or_else(|| s.ca_dir.clone()),
            why: "no usable CA certificate (none parses as X.509)".into(),
        });
    }
    Ok(store)
}

/// The rustls client configuration for `s`.
pub fn client_config(s: &TlsSettings) -> Result<Arc<ClientConfig>, TlsSetupError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError {
            path: None,
            why: e.to_string(),
        })?;
    let config = if s.verify {
        builder
            .with_root_certificates(root_store(s)?)
            .with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// `ssl_client_require_valid_cert = no`: accept any chain and name, but
/// keep checking that the handshake is signed by the shown certificate's key.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The TLS step of the connector chain (after ureq's TCP connector).
pub struct TlsConnector {
    settings: TlsSettings,
    /// Built on first use; a setup error is kept and repeated.
    config: OnceLock<Result<Arc<ClientConfig>, TlsSetupError>>,
}

impl fmt::Debug for TlsConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConnector")
            .field("settings", &self.settings)
            .finish()
    }
}

impl TlsConnector {
    pub fn new(settings: TlsSettings) -> TlsConnector {
        TlsConnector {
            settings,
            config: OnceLock::new(),
        }
    }

    fn config(&self) -> Result<Arc<ClientConfig>, TlsSetupError> {
        self.config
            .get_or_init(|| client_config(&self.settings))
            .clone()
    }
}

impl<In: Transport> Connector<In> for TlsConnector {
    type Out = Either<In, TlsTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Err(ureq::Error::ConnectionFailed);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let config = self.config().map_err(|e| ureq::Error::Other(Box::new(e)))?;
        let host = details
            .uri
            .authority()
            .map(|a| a.host())
            .ok_or(ureq::Error::Tls("no host to check the certificate against"))?;
        // IPv6 literals come bracketed in URIs; certificates name them bare.
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(bare.to_string())
            .map_err(|_| ureq::Error::Tls("host is not a valid TLS server name"))?;
        let mut conn = ClientConnection::new(config, name)?;
        let mut sock = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        sock.set_timeout(details.timeout);
        // Handshake now, so certificate errors surface as connect errors.
        conn.complete_io(&mut sock)?;
        let buffers = LazyBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        Ok(Some(Either::B(TlsTransport {
            buffers,
            stream: StreamOwned { conn, sock },
        })))
    }
}

/// An established TLS connection.
pub struct TlsTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TlsTransport")
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}

/// A human description of a TLS failure found in an I/O error chain, or
/// `None` when the error is not about TLS.
pub fn describe(e: &io::Error) -> Option<String> {
    let inner = e.get_ref()?;
    let tls = inner.downcast_ref::<rustls::Error>()?;
    Some(describe_rustls(tls))
}

/// Certificate problems in words an operator can act on.
pub fn describe_rustls(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    const HINT: &str = "trust its CA with --ca-file FILE (or dovecot.conf ssl_client_ca_file)";
    match e {
        rustls::Error::InvalidCertificate(c) => {
            let what = match c {
                C::UnknownIssuer => {
                    "the server's certificate is not signed by a trusted CA (self-signed or private CA?)"
                        .to_string()
                }
                C::Expired | C::ExpiredContext { .. } => {
                    "the server's certificate has expired".to_string()
                }
                C::NotValidYet | C::NotValidYetContext { .. } => {
                    "the server's certificate is not valid yet (check the clock)".to_string()
                }
                C::NotValidForName | C::NotValidForNameContext { .. } => {
                    "the server's certificate does not name this host".to_string()
                }
                C::Revoked => "the server's certificate is revoked".to_string(),
                C::BadSignature => "the server's certificate has a bad signature".to_string(),
                other => format!("invalid server certificate: {other:?}"),
            };
            let hint = match c {
                C::UnknownIssuer => format!("; {HINT}"),
                C::NotValidForName | C::NotValidForNameContext { .. } => {
                    "; connect by a name the certificate lists".to_string()
                }
                _ => String::new(),
            };
            format!("TLS certificate verification failed: {what} ({e}){hint}")
        }
        other => format!("TLS handshake failed: {other}"),
    }
}
