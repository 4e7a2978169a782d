//! Bucket addressing and request signing for the S3 drivers (spec §3.3,
//! §3.5), and recognition of AWS endpoint host names.
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "style", rename_all = "kebab-case")]
pub enum Addressing {
    /// `bucket=NAME` given: requests go to `https://host/NAME/<key>`.
    PathStyle { bucket: String },
    /// The bucket is the host's first label(s): `https://NAME.host/<key>`.
    VirtualHosted { bucket: String },
    /// An AWS endpoint without a bucket label and without `bucket=`.
    NoBucket,
}

impl Addressing {
    pub fn bucket(&self) -> Option<&str> {
        match self {
            Addressing::PathStyle { bucket } | Addressing::VirtualHosted { bucket } => Some(bucket),
            Addressing::NoBucket => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "version", rename_all = "kebab-case")]
pub enum Signing {
    /// No (or an empty) `region` parameter: AWS Signature Version 2.
    V2,
    /// `region=R`: Signature Version 4, service `s3`, region R.
    V4 { region: String },
}

/// What an `amazonaws.com` host name says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwsHost {
    /// Labels before the `s3` label (may contain dots).
    pub bucket: Option<String>,
    /// The region in the host, if any (`s3.eu-central-1`, `s3-eu-west-1`).
    pub region: Option<String>,
    pub dualstack: bool,
    /// `s3-REGION.amazonaws.com` (legacy dash form).
    pub legacy_dash: bool,
    /// `s3.amazonaws.com` (legacy global endpoint, us-east-1).
    pub global: bool,
    pub china: bool,
}

/// Recognise `BUCKET.s3.REGION.amazonaws.com` and its variants.
pub fn parse_aws_host(host: &str) -> Option<AwsHost> {
    let h = host.to_ascii_lowercase();
    let (rest, china) = if let Some(r) = h.strip_suffix(".amazonaws.com.cn") {
        (r, true)
    } else if let Some(r) = h.strip_suffix(".amazonaws.com") {
        (r, false)
    } else {
        return None;
    };
    let labels: Vec<&str> = rest.split('.').collect();
    // The last label that is "s3" or "s3-REGION" marks the service; scan
    // from the right because bucket names may contain "s3" labels too.
    let idx = labels
        .iter()
        .rposition(|l| *l == "s3" || (l.starts_with("s3-") && l.len() > 3))?;
    let bucket = (idx > 0).then(|| labels[..idx].join("."));
    let mut region = None;
    let mut legacy_dash = false;
    let mut dualstack = false;
    if let Some(r) = labels[idx].strip_prefix("s3-") {
        if r != "external-1" {
            region = Some(r.to_string());
        }
        legacy_dash = true;
    }
    for l in &labels[idx + 1..] {
        if *l == "dualstack" {
            dualstack = true;
        } else if region.is_none() {
            region = Some(l.to_string());
        }
    }
    let global = region.is_none() && !legacy_dash;
    Some(AwsHost {
        bucket,
        region,
        dualstack,
        legacy_dash,
        global,
        china,
    })
}

/// A plausible AWS region code (heuristic of spec §3.5).
pub fn is_plausible_region(r: &str) -> bool {
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"^(us|eu|ap|sa|ca|me|af|il|mx|cn)(-gov|-iso[a-z]*)?-[a-z]+-\d+$")
            .expect("static regex")
    })
    .is_match(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_hosts() {
        let h = parse_aws_host("dovecot-mails.s3.eu-central-1.amazonaws.com").unwrap();
        assert_eq!(h.bucket.as_deref(), Some("dovecot-mails"));
        assert_eq!(h.region.as_deref(), Some("eu-central-1"));
        let h = parse_aws_host("s3.eu-west-1.amazonaws.com").unwrap();
        assert_eq!(h.bucket, None);
        let h = parse_aws_host("my.bucket.s3-eu-west-1.amazonaws.com").unwrap();
        assert_eq!(h.bucket.as_deref(), Some("my.bucket"));
        assert!(h.legacy_dash);
        let h = parse_aws_host("b.s3.amazonaws.com").unwrap();
        assert!(h.global);
        let h = parse_aws_host("b.s3.dualstack.us-east-2.amazonaws.com").unwrap();
        assert!(h.dualstack);
        assert_eq!(h.region.as_deref(), Some("us-east-2"));
        assert!(parse_aws_host("s3.example.com").is_none());
        assert!(is_plausible_region("eu-central-1"));
        assert!(is_plausible_region("us-gov-west-1"));
        assert!(!is_plausible_region("europe"));
    }
}
