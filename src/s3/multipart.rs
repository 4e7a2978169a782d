//! Multipart uploads. Files are uploaded part by part straight from disk by
//! several workers (memory stays at a few read buffers whatever the size);
//! streams are buffered one part at a time. Any failure aborts the upload
//! so no half-written object or orphaned parts are left behind.
use super::client::{BodyFailure, Client, Req, ReqBody, STREAM_PART_SIZE, fill_part, xml_escape};
use super::error::{S3Error, S3ErrorKind};
use super::params::OpKind;
use super::xml;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// S3 allows at most this many parts.
const MAX_PARTS: u64 = 10_000;
const MIN_PART: u64 = 16 * 1024 * 1024;

fn read_all(mut resp: super::http::HttpResponse) -> Result<Vec<u8>, BodyFailure> {
    super::client::read_xml_body(&mut resp, "POST")
}

fn initiate(
    c: &Client,
    full: &str,
    key: &str,
    meta: &[(String, String)],
) -> Result<String, S3Error> {
    let req = Req {
        method: "POST",
        op: OpKind::Write,
        key: Some(full),
        query: vec![("uploads", None)],
        headers: meta.to_vec(),
        body: ReqBody::Empty,
    };
    let body = c.execute(&req, |r, _| read_all(r))?;
    let root =
        xml::parse(&body).map_err(|e| S3Error::new("POST", Some(key), S3ErrorKind::Protocol(e)))?;
    root.text_of("UploadId")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            S3Error::new(
                "POST",
                Some(key),
                S3ErrorKind::Protocol("no UploadId in answer".into()),
            )
        })
}

fn put_part(
    c: &Client,
    full: &str,
    upload_id: &str,
    n: u64,
    body: ReqBody<'_>,
) -> Result<String, S3Error> {
    let req = Req {
        method: "PUT",
        op: OpKind::Write,
        key: Some(full),
        query: vec![
            ("partNumber", Some(n.to_string())),
            ("uploadId", Some(upload_id.to_string())),
        ],
        headers: vec![],
        body,
    };
    c.execute(&req, |r, _| {
        r.header("etag").map(str::to_owned).ok_or_else(|| {
            BodyFailure::Fatal(S3Error::new(
                "PUT",
                None,
                S3ErrorKind::Protocol(format!("part {n}: no ETag")),
            ))
        })
    })
}

fn complete(
    c: &Client,
    full: &str,
    key: &str,
    upload_id: &str,
    parts: &[(u64, String)],
) -> Result<Option<String>, S3Error> {
    let mut body = String::from("<CompleteMultipartUpload>");
    for (n, etag) in parts {
        body.push_str(&format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>{}</ETag></Part>",
            xml_escape(etag)
        ));
    }
    body.push_str("</CompleteMultipartUpload>");
    let req = Req {
        method: "POST",
        op: OpKind::Write,
        key: Some(full),
        query: vec![("uploadId", Some(upload_id.to_string()))],
        headers: vec![],
        body: ReqBody::Bytes(body.as_bytes()),
    };
    let answer = c.execute(&req, |r, _| read_all(r))?;
    // S3 may answer 200 and still report an error in the body.
    let root = xml::parse(&answer)
        .map_err(|e| S3Error::new("POST", Some(key), S3ErrorKind::Protocol(e)))?;
    if root.name == "Error" {
        let (code, message, request_id) = xml::parse_error(&answer);
        return Err(S3Error::new(
            "POST",
            Some(key),
            S3ErrorKind::Http {
                status: 200,
                code,
                message,
                request_id,
            },
        ));
    }
    Ok(root.text_of("ETag").map(str::to_owned))
}

fn abort(c: &Client, full: &str, upload_id: &str) {
    let req = Req {
        method: "DELETE",
        op: OpKind::Delete,
        key: Some(full),
        query: vec![("uploadId", Some(upload_id.to_string()))],
        headers: vec![],
        body: ReqBody::Empty,
    };
    let _ = c.execute(&req, |_, _| Ok(()));
}

/// Part size for a file of `len` bytes.
pub fn part_size_for(len: u64, configured: u64) -> u64 {
    let min_for_count = len.div_ceil(MAX_PARTS);
    let base = if configured > 0 { configured } else { MIN_PART };
    base.max(min_for_count).max(5 * 1024 * 1024)
}

/// Upload a file in parts, `c.workers` (at most 4) at a time.
pub fn upload_file(
    c: &Client,
    full: &str,
    key: &str,
    path: &Path,
    len: u64,
    meta: &[(String, String)],
) -> Result<Option<String>, S3Error> {
    let part = part_size_for(len, c.part_size);
    let count = len.div_ceil(part).max(1);
    let upload_id = initiate(c, full, key, meta)?;
    let next = AtomicU64::new(1);
    let failed = AtomicBool::new(false);
    let etags: Mutex<Vec<(u64, String)>> = Mutex::new(Vec::new());
    let first_err: Mutex<Option<S3Error>> = Mutex::new(None);
    let workers = c.workers.clamp(1, 4).min(count as usize);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n > count {
                        break;
                    }
                    let offset = (n - 1) * part;
                    let plen = part.min(len - offset);
                    match put_part(
                        c,
                        full,
                        &upload_id,
                        n,
                        ReqBody::FileRange {
                            path,
                            offset,
                            len: plen,
                        },
                    ) {
                        Ok(etag) => etags
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((n, etag)),
                        Err(e) => {
                            failed.store(true, Ordering::Relaxed);
                            first_err
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .get_or_insert(e);
                        }
                    }
                }
            });
        }
    });
    if let Some(mut e) = first_err.into_inner().unwrap_or_else(|p| p.into_inner()) {
        abort(c, full, &upload_id);
        e.key = Some(key.to_string());
        return Err(e);
    }
    let mut parts = etags.into_inner().unwrap_or_else(|p| p.into_inner());
    parts.sort();
    finish(c, full, key, &upload_id, &parts)
}

fn finish(
    c: &Client,
    full: &str,
    key: &str,
    upload_id: &str,
    parts: &[(u64, String)],
) -> Result<Option<String>, S3Error> {
    match complete(c, full, key, upload_id, parts) {
        Ok(etag) => Ok(etag),
        // A retried completion whose first answer was lost finds the upload
        // gone (S3: 404 NoSuchUpload; some stores: 403): the object may be
        // whole already. Its ETag, the MD5 of the parts' MD5s with "-N",
        // tells, so a stored object is not reported as a failure.
        Err(e) if e.attempts > 1 && matches!(e.status(), Some(403 | 404)) => {
            match (expected_etag(parts), c.head(key)) {
                (Some(want), Ok(info))
                    if info.etag.as_deref().map(|t| t.trim_matches('"')) == Some(&want) =>
                {
                    Ok(info.etag)
                }
                _ => {
                    abort(c, full, upload_id);
                    Err(e)
                }
            }
        }
        Err(e) => {
            abort(c, full, upload_id);
            Err(e)
        }
    }
}

/// The ETag S3 gives a completed multipart object: the hex MD5 of the
/// parts' binary MD5s, a dash and the part count. None when a part's ETag
/// is not a plain MD5 (encrypted with KMS, other stores).
fn expected_etag(parts: &[(u64, String)]) -> Option<String> {
    use md5::{Digest, Md5};
    let mut all = Md5::new();
    for (_, etag) in parts {
        let hexed = super::client::plain_md5_etag(etag)?;
        all.update(hex::decode(hexed).ok()?);
    }
    Some(format!("{}-{}", hex::encode(all.finalize()), parts.len()))
}

/// Upload a stream whose first part (a full [`STREAM_PART_SIZE`]) is
/// already in `buf`. The same buffer carries every later part.
pub fn upload_stream(
    c: &Client,
    full: &str,
    key: &str,
    mut buf: Vec<u8>,
    mut rest: Box<dyn Read + Send>,
    meta: &[(String, String)],
) -> Result<Option<String>, S3Error> {
    let upload_id = initiate(c, full, key, meta)?;
    let mut parts = Vec::new();
    let mut len = STREAM_PART_SIZE.min(buf.len());
    let mut n = 1u64;
    loop {
        match put_part(c, full, &upload_id, n, ReqBody::Bytes(&buf[..len])) {
            Ok(etag) => parts.push((n, etag)),
            Err(mut e) => {
                abort(c, full, &upload_id);
                e.key = Some(key.to_string());
                return Err(e);
            }
        }
        len = match fill_part(&mut rest, &mut buf) {
            Ok(l) => l,
            Err(e) => {
                abort(c, full, &upload_id);
                return Err(S3Error::new("PUT", Some(key), S3ErrorKind::Local(e)));
            }
        };
        if len == 0 {
            break;
        }
        n += 1;
    }
    finish(c, full, key, &upload_id, &parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::{Digest, Md5};

    #[test]
    fn multipart_etag_is_md5_of_part_md5s() {
        let (a, b) = (
            "0cc175b9c0f1b6a831c399e269772661", // MD5("a")
            "92eb5ffee6ae2fec3ad71c777531578f", // MD5("b")
        );
        let parts = [(1, format!("\"{a}\"")), (2, format!("\"{b}\""))];
        let mut m = Md5::new();
        m.update(hex::decode(a).unwrap());
        m.update(hex::decode(b).unwrap());
        let want = format!("{}-2", hex::encode(m.finalize()));
        assert_eq!(expected_etag(&parts), Some(want));
        assert_eq!(expected_etag(&[(1, "\"abc-3\"".into())]), None);
    }
}
