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
//!   `ssl_client_ca_dir`): exactly those certificates, as Dovecot does.
//!   A server certificate that is itself one of them, byte for byte, is
//!   accepted even when it says it is a CA (`openssl req -x509` sets
//!   basicConstraints CA:TRUE, which webpki refuses as a leaf; OpenSSL,
//!   curl and Dovecot accept such a certificate once it is trusted) — see
//!   [`ExplicitTrust`];
//! * `verify = false` (`ssl_client_require_valid_cert = no`): any
//!   certificate is accepted, but handshake signatures are still checked,
//!   so the peer must at least own the key of the certificate it shows.
//!
//! The config is built on the first TLS connection, so plain-http runs
//! never pay for reading the system certificate store.
use rustls::client::WebPkiServerVerifier;
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

/// The certificates of `ca_file` and `ca_dir`; `None` when neither is set
/// (default trust).
fn explicit_certs(s: &TlsSettings) -> Result<Option<Vec<CertificateDer<'static>>>, TlsSetupError> {
    if s.ca_file.is_none() && s.ca_dir.is_none() {
        return Ok(None);
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
    Ok(Some(explicit))
}

/// A root store of exactly `certs`; an error when none of them is usable.
fn explicit_store(
    s: &TlsSettings,
    certs: &[CertificateDer<'static>],
) -> Result<RootCertStore, TlsSetupError> {
    let mut store = RootCertStore::empty();
    let (added, _ignored) = store.add_parsable_certificates(certs.iter().cloned());
    if added == 0 {
        return Err(TlsSetupError {
            path: s.ca_file.clone().or_else(|| s.ca_dir.clone()),
            why: "no usable CA certificate (none parses as X.509)".into(),
        });
    }
    Ok(store)
}

/// The trust anchors for `s`.
pub fn root_store(s: &TlsSettings) -> Result<RootCertStore, TlsSetupError> {
    match explicit_certs(s)? {
        Some(certs) => explicit_store(s, &certs),
        None => {
            let mut store = RootCertStore::empty();
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            // A broken system store is not fatal: the webpki roots remain.
            let native = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(native.certs);
            Ok(store)
        }
    }
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
    let config = if !s.verify {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth()
    } else if let Some(certs) = explicit_certs(s)? {
        let roots = Arc::new(explicit_store(s, &certs)?);
        let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
            .build()
            .map_err(|e| TlsSetupError {
                path: None,
                why: e.to_string(),
            })?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ExplicitTrust {
                webpki,
                pinned: certs,
            }))
            .with_no_client_auth()
    } else {
        builder
            .with_root_certificates(root_store(s)?)
            .with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// Whether a certificate error is webpki's "a CA certificate was shown as
/// the server's own" (rustls passes it on as an opaque `Other`).
fn is_ca_used_as_end_entity(e: &rustls::Error) -> bool {
    webpki_error(e).is_some_and(|w| matches!(w, webpki::Error::CaUsedAsEndEntity))
}

/// The webpki error inside a rustls `CertificateError::Other`, if any.
fn webpki_error(e: &rustls::Error) -> Option<&webpki::Error> {
    match e {
        rustls::Error::InvalidCertificate(rustls::CertificateError::Other(o)) => {
            o.0.downcast_ref::<webpki::Error>()
        }
        _ => None,
    }
}

/// Trust exactly the configured certificates (`--ca-file`,
/// `ssl_client_ca_file`/`_dir`). Everything goes to the webpki verifier;
/// the one case it refuses that OpenSSL accepts is handled here: the
/// server shows a certificate marked CA:TRUE that is itself, byte for
/// byte, one of the configured certificates (the usual `openssl req
/// -x509` self-signed certificate). Then trust is by identity, like a
/// pinned certificate: webpki has already checked its validity period
/// (it does so before the CA flag), the server name is still checked
/// against its SANs here, and the handshake signature is checked as
/// always, so the server must own the certificate's key.
#[derive(Debug)]
struct ExplicitTrust {
    webpki: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for ExplicitTrust {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(e)
                if is_ca_used_as_end_entity(&e)
                    && self
                        .pinned
                        .iter()
                        .any(|c| c.as_ref() == end_entity.as_ref()) =>
            {
                let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
                rustls::client::verify_server_name(&parsed, server_name)?;
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.webpki.requires_raw_public_keys()
    }

    fn root_hint_subjects(&self) -> Option<&[rustls::DistinguishedName]> {
        self.webpki.root_hint_subjects()
    }
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

/// Certificate problems in words an operator can act on. The rustls text
/// follows in parentheses (it carries details such as the names the
/// certificate does list).
pub fn describe_rustls(e: &rustls::Error) -> String {
    match e {
        rustls::Error::InvalidCertificate(c) => {
            let (what, hint) = describe_certificate_error(c);
            let hint = if hint.is_empty() {
                String::new()
            } else {
                format!("; {hint}")
            };
            // rustls's own text adds facts (names, times) to most errors;
            // for webpki's pass-through errors it is only `Other(OtherError(..))`.
            let raw = match c {
                rustls::CertificateError::Other(_) => String::new(),
                _ => format!(" ({e})"),
            };
            format!("TLS certificate verification failed: {what}{raw}{hint}")
        }
        rustls::Error::NoCertificatesPresented => {
            "TLS handshake failed: the server sent no certificate".to_string()
        }
        rustls::Error::AlertReceived(a) => {
            format!("TLS handshake failed: the server refused the connection (alert {a:?})")
        }
        rustls::Error::PeerIncompatible(p) => format!(
            "TLS handshake failed: the server offers no TLS version or cipher this client accepts ({p:?})"
        ),
        other => format!("TLS handshake failed: {other}"),
    }
}

const TRUST_HINT: &str = "trust its CA with --ca-file FILE (or dovecot.conf ssl_client_ca_file)";

/// What is wrong with the server's certificate, and how to fix it (empty
/// when there is nothing the operator can do on this side).
fn describe_certificate_error(c: &rustls::CertificateError) -> (String, String) {
    use rustls::CertificateError as C;
    let s = |t: &str| t.to_string();
    #[allow(deprecated)]
    let (what, hint) = match c {
        C::UnknownIssuer => (
            s(
                "the server's certificate is not signed by a trusted CA (self-signed or private CA?)",
            ),
            s(TRUST_HINT),
        ),
        C::BadEncoding => (
            s("the server's certificate is malformed (not valid X.509 DER)"),
            String::new(),
        ),
        C::Expired | C::ExpiredContext { .. } => {
            (s("the server's certificate has expired"), String::new())
        }
        C::NotValidYet | C::NotValidYetContext { .. } => (
            s("the server's certificate is not valid yet"),
            s("check this machine's clock"),
        ),
        C::Revoked => (s("the server's certificate is revoked"), String::new()),
        C::UnhandledCriticalExtension => (
            s("the server's certificate has a critical extension this client does not understand"),
            String::new(),
        ),
        C::UnknownRevocationStatus => (
            s("the revocation status of the server's certificate is unknown"),
            String::new(),
        ),
        C::ExpiredRevocationList | C::ExpiredRevocationListContext { .. } => (
            s("the certificate revocation list has expired"),
            String::new(),
        ),
        C::BadSignature => (
            s("the server's certificate has a bad signature (not signed by the key of its issuer)"),
            String::new(),
        ),
        C::UnsupportedSignatureAlgorithm | C::UnsupportedSignatureAlgorithmContext { .. } => (
            s("the server's certificate is signed with an algorithm this client does not support"),
            String::new(),
        ),
        C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => (
            s(
                "the server's certificate is signed with an algorithm that does not fit its issuer's key",
            ),
            String::new(),
        ),
        C::NotValidForName | C::NotValidForNameContext { .. } => (
            s("the server's certificate does not name this host"),
            s("connect by a name the certificate lists"),
        ),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => (
            s(
                "the server's certificate is not meant for TLS servers (its extended key usage lacks serverAuth)",
            ),
            String::new(),
        ),
        C::InvalidOcspResponse => (
            s("the server sent an invalid OCSP (revocation status) response"),
            String::new(),
        ),
        C::ApplicationVerificationFailure => (
            s("the server's certificate was refused by the verifier"),
            String::new(),
        ),
        C::Other(o) => match o.0.downcast_ref::<webpki::Error>() {
            Some(w) => describe_webpki_error(w),
            None => (
                format!("the server's certificate was refused ({o})"),
                String::new(),
            ),
        },
        _ => (s("the server's certificate is invalid"), String::new()),
    };
    (what, hint)
}

/// webpki's errors that rustls passes on as `CertificateError::Other`.
#[allow(deprecated)] // RequiredEkuNotFound: older webpki releases still send it
fn describe_webpki_error(w: &webpki::Error) -> (String, String) {
    use webpki::Error as W;
    let s = |t: &str| t.to_string();
    match w {
        W::CaUsedAsEndEntity => (
            s("the server's certificate is a CA certificate used as a server certificate"),
            s(
                "if it is the server's own self-signed certificate, put exactly that certificate in --ca-file FILE (or dovecot.conf ssl_client_ca_file); otherwise the server must present a certificate issued by that CA",
            ),
        ),
        W::EndEntityUsedAsCa => (
            s("a certificate in the server's chain that is not a CA signed another certificate"),
            String::new(),
        ),
        W::PathLenConstraintViolated => (
            s("the server's certificate chain has more intermediate CAs than a CA in it allows"),
            String::new(),
        ),
        W::NameConstraintViolation => (
            s("the server's certificate names a host its CA may not issue certificates for"),
            String::new(),
        ),
        W::CertDistrusted => (
            s("the server's certificate chains to a distrusted CA"),
            String::new(),
        ),
        W::UnsupportedCertVersion => (
            s("the server's certificate is not an X.509 version 3 certificate"),
            String::new(),
        ),
        W::EmptyEkuExtension | W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) => (
            s(
                "the server's certificate is not meant for TLS servers (its extended key usage lacks serverAuth)",
            ),
            String::new(),
        ),
        W::UnsupportedCriticalExtension => (
            s("the server's certificate has a critical extension this client does not understand"),
            String::new(),
        ),
        W::MaximumPathDepthExceeded
        | W::MaximumSignatureChecksExceeded
        | W::MaximumPathBuildCallsExceeded
        | W::MaximumNameConstraintComparisonsExceeded => (
            s("the server's certificate chain is too long or too complex to verify"),
            String::new(),
        ),
        W::MalformedDnsIdentifier | W::MalformedNameConstraint | W::UnsupportedNameType => (
            s("the server's certificate names hosts in a form this client cannot check"),
            String::new(),
        ),
        W::MalformedExtensions
        | W::ExtensionValueInvalid
        | W::InvalidSerialNumber
        | W::BadDer
        | W::BadDerTime
        | W::TrailingData(_) => (s("the server's certificate is malformed"), String::new()),
        other => (
            format!("the server's certificate is invalid ({other})"),
            String::new(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::CertificateError as C;
    use rustls::OtherError;

    fn text(c: C) -> String {
        describe_rustls(&rustls::Error::InvalidCertificate(c))
    }

    #[test]
    fn every_certificate_error_has_words() {
        #[allow(deprecated)]
        let all = [
            C::BadEncoding,
            C::Expired,
            C::NotValidYet,
            C::Revoked,
            C::UnhandledCriticalExtension,
            C::UnknownIssuer,
            C::UnknownRevocationStatus,
            C::ExpiredRevocationList,
            C::BadSignature,
            C::UnsupportedSignatureAlgorithm,
            C::NotValidForName,
            C::InvalidPurpose,
            C::InvalidOcspResponse,
            C::ApplicationVerificationFailure,
        ];
        for c in all {
            let dbg = format!("{c:?}");
            let t = text(c);
            assert!(
                t.starts_with("TLS certificate verification failed: the "),
                "{t}"
            );
            // The words come first; rustls's text only follows them.
            let words = t.split(" (").next().unwrap();
            assert!(!words.contains(&dbg), "{t}");
        }
    }

    #[test]
    fn webpki_errors_are_named_not_dumped() {
        let wrap = |w: webpki::Error| C::Other(OtherError(Arc::new(w)));
        let t = text(wrap(webpki::Error::CaUsedAsEndEntity));
        assert!(
            t.contains("the server's certificate is a CA certificate used as a server certificate")
                && t.contains("--ca-file"),
            "{t}"
        );
        assert!(
            !t.contains("OtherError") && !t.contains("CaUsedAsEndEntity"),
            "{t}"
        );
        let t = text(wrap(webpki::Error::PathLenConstraintViolated));
        assert!(t.contains("more intermediate CAs"), "{t}");
        assert!(is_ca_used_as_end_entity(
            &rustls::Error::InvalidCertificate(wrap(webpki::Error::CaUsedAsEndEntity))
        ));
        assert!(!is_ca_used_as_end_entity(
            &rustls::Error::InvalidCertificate(C::UnknownIssuer)
        ));
    }
}
