//! The S3 XML bodies the client reads, via a tiny element tree built with
//! quick-xml (pages are at most 1000 entries, so a tree is cheap).
use quick_xml::events::Event;

/// One element: its local name, its direct text, its children.
#[derive(Debug, Default)]
pub struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// S3 answers nest four or five levels; anything deeper is hostile (and a
/// very deep tree would overflow the stack when dropped).
pub const MAX_DEPTH: usize = 64;

/// Parse a document into its root element.
pub fn parse(xml: &[u8]) -> Result<Node, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut stack: Vec<Node> = vec![Node::default()];
    let mut buf = Vec::new();
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("XML: {e}"))?;
        match ev {
            Event::Start(e) => {
                if stack.len() > MAX_DEPTH {
                    return Err(format!(
                        "XML: elements nested deeper than {MAX_DEPTH} levels"
                    ));
                }
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                stack.push(Node {
                    name,
                    ..Node::default()
                });
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let top = stack.last_mut().ok_or("XML: unbalanced")?;
                top.children.push(Node {
                    name,
                    ..Node::default()
                });
            }
            Event::End(_) => {
                let done = stack.pop().ok_or("XML: unbalanced")?;
                stack
                    .last_mut()
                    .ok_or("XML: unbalanced")?
                    .children
                    .push(done);
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| format!("XML: {e}"))?;
                stack.last_mut().ok_or("XML: unbalanced")?.text.push_str(&s);
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| format!("XML: {e}"))?;
                stack.last_mut().ok_or("XML: unbalanced")?.text.push_str(&s);
            }
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref().map_err(|e| format!("XML: {e}"))? {
                    Some(c) => c.to_string(),
                    None => match r.decode().map_err(|e| format!("XML: {e}"))?.as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => return Err(format!("XML: unknown entity &{other};")),
                    },
                };
                stack
                    .last_mut()
                    .ok_or("XML: unbalanced")?
                    .text
                    .push_str(&ch);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if stack.len() != 1 {
        return Err("XML: document ends inside an element".into());
    }
    let mut doc = stack.pop().unwrap_or_default();
    doc.children
        .pop()
        .ok_or_else(|| "XML: empty document".to_string())
}

/// `<Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId></Error>`.
pub fn parse_error(xml: &[u8]) -> (Option<String>, Option<String>, Option<String>) {
    match parse(xml) {
        Ok(root) if root.name == "Error" => (
            root.text_of("Code").map(str::to_owned),
            root.text_of("Message").map(str::to_owned),
            root.text_of("RequestId").map(str::to_owned),
        ),
        _ => (None, None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_page_and_entities() {
        let x = br#"<?xml version="1.0"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>true</IsTruncated><Contents><Key>a&amp;b&#x20;c</Key><Size>3</Size></Contents><Contents><Key>d</Key><Size>0</Size><ETag>&quot;x&quot;</ETag></Contents><NextContinuationToken>t/+=</NextContinuationToken><CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes></ListBucketResult>"#;
        let r = parse(x).unwrap();
        let keys: Vec<_> = r
            .all("Contents")
            .map(|c| c.text_of("Key").unwrap().to_string())
            .collect();
        assert_eq!(keys, ["a&b c", "d"]);
        assert_eq!(
            r.all("Contents").nth(1).unwrap().text_of("ETag"),
            Some("\"x\"")
        );
        assert_eq!(r.text_of("NextContinuationToken"), Some("t/+="));
        assert_eq!(
            parse_error(b"<Error><Code>NoSuchKey</Code><Message>m</Message></Error>")
                .0
                .as_deref(),
            Some("NoSuchKey")
        );
        assert!(parse(b"<a><b></a>").is_err());
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse(ok.as_bytes()).is_ok());
        // A million levels: refused early (and never built, so never
        // dropped recursively).
        let deep = format!("{}{}", "<a>".repeat(1_000_000), "</a>".repeat(1_000_000));
        let e = parse(deep.as_bytes()).unwrap_err();
        assert!(e.contains("nested deeper than"), "{e}");
    }
}
