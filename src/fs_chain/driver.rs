//! The driver names Dovecot knows, and what kind of node each one is.
use serde::Serialize;

/// Where a driver comes from: built into / shipped with open-source
/// Dovecot, or only in Dovecot Pro (closed source; shapes from the docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    OpenSource,
    Pro,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Takes its own arguments and hands the rest to a parent fs.
    Wrapper,
    /// Consumes the whole rest of the string (colons included).
    Storage,
}

/// One entry of the driver catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriverInfo {
    pub name: &'static str,
    pub origin: Origin,
    pub role: Role,
}

const fn d(name: &'static str, origin: Origin, role: Role) -> DriverInfo {
    DriverInfo { name, origin, role }
}

/// Every driver name obox-cli understands. `dictmap` is a wrapper in
/// Dovecot's sense, but its parent is separated by ` ; ` so, for splitting,
/// it ends the `:`-chain like a storage driver.
pub const DRIVERS: &[DriverInfo] = &[
    d("fts-cache", Origin::Pro, Role::Wrapper),
    d("fscache", Origin::Pro, Role::Wrapper),
    d("compress", Origin::OpenSource, Role::Wrapper),
    d("crypt", Origin::OpenSource, Role::Wrapper),
    d("mail-crypt", Origin::OpenSource, Role::Wrapper),
    d("metawrap", Origin::OpenSource, Role::Wrapper),
    d("sis", Origin::OpenSource, Role::Wrapper),
    d("sis-queue", Origin::OpenSource, Role::Wrapper),
    d("randomfail", Origin::OpenSource, Role::Wrapper),
    d("dictmap", Origin::Pro, Role::Storage),
    d("posix", Origin::OpenSource, Role::Storage),
    d("dict", Origin::OpenSource, Role::Storage),
    d("test", Origin::OpenSource, Role::Storage),
    d("s3", Origin::Pro, Role::Storage),
    d("aws-s3", Origin::Pro, Role::Storage),
    d("sproxyd", Origin::Pro, Role::Storage),
    d("scality", Origin::Pro, Role::Storage),
    d("azure", Origin::Pro, Role::Storage),
    d("swift", Origin::Pro, Role::Storage),
];

pub fn lookup(name: &str) -> Option<&'static DriverInfo> {
    DRIVERS.iter().find(|d| d.name == name)
}

/// The known driver name closest to `name` (edit distance ≤ 2, or a
/// well-known confusion such as `gcs` → `s3`), for "did you mean" help.
pub fn suggest(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "gcs" | "s3a" | "minio" | "ceph" => return Some("s3"),
        "http" | "https" => return Some("s3"),
        "aws_s3" | "awss3" | "aws" => return Some("aws-s3"),
        "fs-cache" | "fs_cache" => return Some("fscache"),
        _ => {}
    }
    DRIVERS
        .iter()
        .map(|d| (edit_distance(&lower, d.name), d.name))
        .filter(|&(dist, _)| dist <= 2)
        .min_by_key(|&(dist, _)| dist)
        .map(|(_, n)| n)
}

/// Levenshtein distance on bytes (names are ASCII; inputs are short).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
