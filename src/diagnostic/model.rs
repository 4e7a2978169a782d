use super::Severity;
use crate::conf::{Files, Origin};

/// A place in a config file with an optional note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub origin: Origin,
    pub message: Option<String>,
}

impl Label {
    pub fn new(origin: Origin) -> Self {
        Label {
            origin,
            message: None,
        }
    }
    pub fn with_message(origin: Origin, message: impl Into<String>) -> Self {
        Label {
            origin,
            message: Some(message.into()),
        }
    }
}

/// One finding. `primary` is None only for problems without a place (a
/// config file that cannot be read at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    pub primary: Option<Label>,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

/// A label resolved to file name and 1-based line/column (columns count
/// characters), start and end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Location {
    pub fn of(files: &Files, o: Origin) -> Location {
        let f = files.get(o.file);
        let (line, column) = f.line_index.line_col(o.span.start, &f.text);
        let (end_line, end_column) = f.line_index.line_col(o.span.end, &f.text);
        Location {
            file: f.path.clone(),
            line,
            column,
            end_line,
            end_column,
        }
    }
}

impl Diagnostic {
    pub fn location(&self, files: &Files) -> Option<Location> {
        self.primary
            .as_ref()
            .filter(|l| l.origin.file.0 < files.files.len())
            .map(|l| Location::of(files, l.origin))
    }
}
