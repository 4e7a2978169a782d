//! What the user chose on the command line: which rules, the failure
//! threshold, the Dovecot version to judge against, and the switches for
//! rules that rest on undocumented Pro behaviour (spec §8).
use crate::diagnostic::Severity;
use std::fmt;

/// `2.3.N[.M]` or `3.0[.N]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TargetVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl TargetVersion {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        TargetVersion {
            major,
            minor,
            patch,
        }
    }
    pub fn at_least(self, major: u32, minor: u32, patch: u32) -> bool {
        self >= TargetVersion::new(major, minor, patch)
    }
}

impl Default for TargetVersion {
    fn default() -> Self {
        TargetVersion::new(2, 3, 21)
    }
}

impl std::str::FromStr for TargetVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('.').collect();
        let num = |i: usize| -> Result<u32, String> {
            parts.get(i).map_or(Ok(0), |p| {
                p.parse().map_err(|_| format!("bad version '{s}'"))
            })
        };
        let v = TargetVersion::new(num(0)?, num(1)?, num(2)?);
        if parts.len() < 2 || !(v.major == 2 && v.minor == 3 || v.major == 3 && v.minor == 0) {
            return Err(format!(
                "unsupported target version '{s}' (use 2.3.N or 3.0)"
            ));
        }
        Ok(v)
    }
}

impl fmt::Display for TargetVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Rules whose verdict depends on open questions about Pro.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uncertain {
    /// Report URL parameters that are not documented (OBX046). Pro may
    /// ignore or refuse them; we assume a typo is worth reporting.
    pub unknown_params: bool,
    /// Time parameters without a unit (OBX048): settings need one, URL
    /// parameters may not.
    pub unitless_time: bool,
    /// Static credentials together with auth_role (OBX060).
    pub credentials_and_role: bool,
}

impl Default for Uncertain {
    fn default() -> Self {
        Uncertain {
            unknown_params: true,
            unitless_time: true,
            credentials_and_role: true,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct LintSettings {
    /// Codes or code prefixes (`OBX05`) to run; empty = all.
    pub select: Vec<String>,
    /// Codes or prefixes to skip.
    pub ignore: Vec<String>,
    pub target: TargetVersion,
    pub uncertain: Uncertain,
}

impl LintSettings {
    pub fn enabled(&self, code: &str) -> bool {
        let hit = |v: &[String]| v.iter().any(|p| code.starts_with(p.as_str()));
        (self.select.is_empty() || hit(&self.select)) && !hit(&self.ignore)
    }
}

/// The lowest severity that makes `lint` exit 1.
pub fn fails(diags: &[crate::diagnostic::Diagnostic], fail_on: Severity) -> bool {
    diags.iter().any(|d| d.severity >= fail_on)
}
