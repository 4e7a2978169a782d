//! Request signing. SigV4 goes through aws-sigv4 (the only place it is
//! used); SigV2 is the small HMAC-SHA1 scheme, written out by hand.
use super::credentials::Credentials;
use super::endpoint::Signing;
use base64::Engine;
use hmac::{Hmac, Mac};
use std::time::SystemTime;

/// What the payload hash header says.
pub enum Payload<'a> {
    /// Hash these bytes.
    Bytes(&'a [u8]),
    /// Stream without a hash (`UNSIGNED-PAYLOAD`); integrity is then
    /// checked through Content-MD5 or the returned ETag.
    Unsigned,
}

/// The parts of a request that get signed.
pub struct ToSign<'a> {
    pub method: &'a str,
    /// `scheme://host[:port]` + encoded path + `?` + encoded query: the URL
    /// as the server will see it (the logical host, not an override).
    pub url: &'a str,
    /// The Host header value sent.
    pub host: &'a str,
    /// Every other header that will be sent and should be signed
    /// (Content-MD5, Content-Type, x-amz-*, addhdr).
    pub headers: &'a [(String, String)],
    pub payload: Payload<'a>,
    /// SigV2 only: the canonical resource (path, plus `?sub-resources`).
    pub v2_resource: &'a str,
}

/// Headers to add to the request (Authorization, dates, token, hashes).
pub fn sign(
    signing: &Signing,
    creds: &Credentials,
    req: &ToSign<'_>,
    now: SystemTime,
) -> Result<Vec<(String, String)>, String> {
    match signing {
        Signing::V4 { region } => sign_v4(region, creds, req, now),
        Signing::V2 => Ok(sign_v2(creds, req, now)),
    }
}

fn sign_v4(
    region: &str,
    creds: &Credentials,
    req: &ToSign<'_>,
    now: SystemTime,
) -> Result<Vec<(String, String)>, String> {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
        UriPathNormalizationMode, sign,
    };
    use aws_sigv4::sign::v4;
    let identity: aws_smithy_runtime_api::client::identity::Identity =
        aws_credential_types::Credentials::new(
            creds.access_key.clone(),
            creds.secret_key.expose().to_string(),
            creds.session_token.as_ref().map(|t| t.expose().to_string()),
            None,
            "obox-cli",
        )
        .into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    let params: aws_sigv4::http_request::SigningParams = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("s3")
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let body = match req.payload {
        Payload::Bytes(b) => SignableBody::Bytes(b),
        Payload::Unsigned => SignableBody::UnsignedPayload,
    };
    let headers = std::iter::once(("host", req.host))
        .chain(req.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let signable =
        SignableRequest::new(req.method, req.url, headers, body).map_err(|e| e.to_string())?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    let (hdrs, _query) = instructions.into_parts();
    Ok(hdrs
        .into_iter()
        .map(|h| (h.name().to_string(), h.value().to_string()))
        .collect())
}

/// Sub-resources that belong in SigV2's canonical resource.
pub const V2_SUBRESOURCES: &[&str] = &[
    "acl",
    "cors",
    "delete",
    "lifecycle",
    "location",
    "logging",
    "notification",
    "partNumber",
    "policy",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
];

/// The SigV2 canonical resource: `path` plus the sorted sub-resources of
/// `query` (raw, un-encoded values).
pub fn v2_resource(path: &str, query: &[(&str, Option<&str>)]) -> String {
    let mut subs: Vec<String> = query
        .iter()
        .filter(|(k, _)| V2_SUBRESOURCES.contains(k))
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k.to_string(),
        })
        .collect();
    subs.sort();
    if subs.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", subs.join("&"))
    }
}

fn sign_v2(creds: &Credentials, req: &ToSign<'_>, now: SystemTime) -> Vec<(String, String)> {
    let get = |name: &str| {
        req.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    };
    let date = httpdate::fmt_http_date(now);
    let mut amz: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(k, _)| k.to_ascii_lowercase().starts_with("x-amz-"))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    if let Some(t) = &creds.session_token {
        amz.push(("x-amz-security-token".into(), t.expose().to_string()));
    }
    amz.sort();
    let mut canon_amz = String::new();
    let mut i = 0;
    while i < amz.len() {
        let name = &amz[i].0;
        let mut vals = vec![amz[i].1.clone()];
        while i + 1 < amz.len() && amz[i + 1].0 == *name {
            i += 1;
            vals.push(amz[i].1.clone());
        }
        canon_amz.push_str(&format!("{name}:{}\n", vals.join(",")));
        i += 1;
    }
    let sts = format!(
        "{}\n{}\n{}\n{}\n{}{}",
        req.method,
        get("content-md5"),
        get("content-type"),
        date,
        canon_amz,
        req.v2_resource
    );
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(creds.secret_key.expose().as_bytes())
        .expect("HMAC takes any key length");
    mac.update(sts.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let mut out = vec![
        ("date".to_string(), date),
        (
            "authorization".to_string(),
            format!("AWS {}:{sig}", creds.access_key),
        ),
    ];
    if let Some(t) = &creds.session_token {
        out.push(("x-amz-security-token".to_string(), t.expose().to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::credentials::Secret;

    /// AWS's SigV2 documentation example (GET photos/puppy.jpg). AWS's page
    /// writes the date as `+0000` (signature qgk2+6Sv9/…); we send the RFC
    /// 1123 `GMT` form, whose signature was computed independently with
    /// Python's hmac module.
    #[test]
    fn v2_matches_aws_example() {
        let creds = Credentials::new(
            "AKIAIOSFODNN7EXAMPLE".into(),
            Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            None,
            None,
            "test",
        );
        let now = httpdate::parse_http_date("Tue, 27 Mar 2007 19:36:42 GMT").unwrap();
        let req = ToSign {
            method: "GET",
            url: "http://awsexamplebucket1.us-west-1.s3.amazonaws.com/photos/puppy.jpg",
            host: "awsexamplebucket1.us-west-1.s3.amazonaws.com",
            headers: &[],
            payload: Payload::Unsigned,
            v2_resource: "/awsexamplebucket1/photos/puppy.jpg",
        };
        let h = sign_v2(&creds, &req, now);
        assert_eq!(
            h[1].1,
            "AWS AKIAIOSFODNN7EXAMPLE:7AbQgM8BIjLxGPGytjyjro07bR4="
        );
        assert_eq!(
            v2_resource(
                "/b/",
                &[("prefix", Some("x")), ("uploads", None), ("delete", None)]
            ),
            "/b/?delete&uploads"
        );
    }
}
